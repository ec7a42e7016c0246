import { createHash } from 'node:crypto';
import type Stripe from 'stripe';
import { METER_CUSTOMER_PAYLOAD_KEY, METER_VALUE_PAYLOAD_KEY } from './catalog.ts';
import { describeStripeError, isDuplicateMeterEventError, isRetryableStripeError } from './errors.ts';

/** Stripe accepts meter events stamped within the past 35 days and at most 5 minutes ahead. */
const METER_EVENT_MAX_AGE_MS = 35 * 86_400_000;
const METER_EVENT_MAX_FUTURE_MS = 5 * 60_000;
const IDENTIFIER_MAX = 100;
const IDENTIFIER = /^[A-Za-z0-9_-]{1,100}$/;

export interface MeterEventToSend {
  /** deterministic per unit of usage (meterEventIdentifier): a resend with it is never counted twice */
  identifier: string;
  eventName: string;
  customerId: string;
  /** usage to add, a non-negative integer (an aggregate of many requests, never one per request) */
  value: bigint | number;
  timestamp: Date;
}

type MeterEventStatus = 'sent' | 'duplicate' | 'failed';

export interface MeterEventOutcome {
  identifier: string;
  /** 'duplicate': Stripe already held this identifier, so the usage is recorded exactly once */
  status: MeterEventStatus;
  error?: string;
  /** for 'failed': whether sending it again later can succeed */
  retryable?: boolean;
}

export interface SendMeterEventsOptions {
  /** requests in flight at once (Stripe may answer 409 to many concurrent events for one customer) */
  concurrency?: number;
  /** clock for the timestamp window, ms */
  now?: () => number;
}

/**
 * A meter event identifier from the parts that name one unit of usage (e.g. subscription id, bucket
 * start, running total). Always the same for the same parts, at most 100 characters of [A-Za-z0-9_-]:
 * a readable prefix plus a hash of the exact parts, so parts that sanitize alike still differ.
 */
export function meterEventIdentifier(parts: ReadonlyArray<string | number | bigint | Date>): string {
  if (parts.length === 0) throw new Error('meterEventIdentifier needs at least one part');
  const texts = parts.map((part) => (part instanceof Date ? part.toISOString() : String(part)));
  const hash = createHash('sha256');
  // Length-prefixing keeps ["a:b"] and ["a", "b"] apart.
  for (const text of texts) hash.update(`${Buffer.byteLength(text)}:${text};`);
  const digest = hash.digest('hex').slice(0, 32);
  const readable = texts
    .map((text) => text.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, ''))
    .filter(Boolean)
    .join('_')
    .slice(0, IDENTIFIER_MAX - digest.length - 1)
    .replace(/[-_]+$/, '');
  return readable ? `${readable}_${digest}` : digest;
}

function localRefusal(event: MeterEventToSend, nowMs: number): string | null {
  if (!IDENTIFIER.test(event.identifier)) {
    return `invalid identifier: must be 1-${IDENTIFIER_MAX} characters of [A-Za-z0-9_-]`;
  }
  if (!event.eventName) return 'event name is empty';
  if (!event.customerId) return 'customer id is empty';
  if (typeof event.value === 'number' && !Number.isSafeInteger(event.value)) {
    return `invalid value ${event.value}: must be an integer`;
  }
  if (event.value < 0) return `invalid value ${event.value}: must not be negative`;
  const at = event.timestamp.getTime();
  if (Number.isNaN(at)) return 'invalid timestamp';
  if (at < nowMs - METER_EVENT_MAX_AGE_MS) {
    return `timestamp ${event.timestamp.toISOString()} is older than the 35 days Stripe accepts; the usage must be billed another way`;
  }
  if (at > nowMs + METER_EVENT_MAX_FUTURE_MS) {
    return `timestamp ${event.timestamp.toISOString()} is more than 5 minutes in the future (clock skew?)`;
  }
  return null;
}

async function sendOne(stripe: Stripe, event: MeterEventToSend, nowMs: number): Promise<MeterEventOutcome> {
  const refusal = localRefusal(event, nowMs);
  if (refusal) return { identifier: event.identifier, status: 'failed', error: refusal, retryable: false };
  try {
    // stripe-node gives each call an idempotency key and reuses it across its own retries; the
    // identifier is what protects resends made by later calls.
    await stripe.billing.meterEvents.create({
      event_name: event.eventName,
      identifier: event.identifier,
      timestamp: Math.floor(event.timestamp.getTime() / 1000),
      payload: {
        [METER_CUSTOMER_PAYLOAD_KEY]: event.customerId,
        [METER_VALUE_PAYLOAD_KEY]: event.value.toString(),
      },
    });
    return { identifier: event.identifier, status: 'sent' };
  } catch (error) {
    if (isDuplicateMeterEventError(error)) return { identifier: event.identifier, status: 'duplicate' };
    return {
      identifier: event.identifier,
      status: 'failed',
      error: describeStripeError(error),
      retryable: isRetryableStripeError(error),
    };
  }
}

/**
 * Sends aggregated usage to Stripe Billing Meters, one request per event with bounded concurrency.
 * Never throws for a single event: each gets an outcome, in input order. An identifier repeated within
 * the batch is sent once; its later copies report 'duplicate' when the first one got through.
 */
export async function sendMeterEvents(
  stripe: Stripe,
  events: readonly MeterEventToSend[],
  options: SendMeterEventsOptions = {},
): Promise<MeterEventOutcome[]> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const nowMs = (options.now ?? Date.now)();
  const firstIndex = new Map<string, number>();
  events.forEach((event, index) => {
    if (!firstIndex.has(event.identifier)) firstIndex.set(event.identifier, index);
  });
  const unique = [...firstIndex.values()];
  const outcomes = new Map<number, MeterEventOutcome>();
  let next = 0;
  const worker = async () => {
    while (next < unique.length) {
      const index = unique[next++]!;
      outcomes.set(index, await sendOne(stripe, events[index]!, nowMs));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, unique.length) }, worker));
  return events.map((event, index) => {
    const first = outcomes.get(firstIndex.get(event.identifier)!)!;
    if (index === firstIndex.get(event.identifier)) return first;
    return first.status === 'failed' ? { ...first } : { identifier: event.identifier, status: 'duplicate' };
  });
}
