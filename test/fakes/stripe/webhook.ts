import type Stripe from 'stripe';
import { randomId } from './state.ts';

/** The API version the events are rendered in (the one stripe-node 19 pins). */
const EVENT_API_VERSION = '2025-10-29.clover';

export interface BuildStripeEventOptions {
  /** event.created: seconds since the epoch, or a Date */
  created?: number | Date;
  id?: string;
  livemode?: boolean;
  previousAttributes?: Record<string, unknown>;
}

/** An Event envelope as Stripe delivers it to a webhook endpoint. */
export function buildStripeEvent(
  type: string,
  object: Record<string, unknown>,
  options: BuildStripeEventOptions = {},
): Stripe.Event {
  const created =
    options.created instanceof Date
      ? Math.floor(options.created.getTime() / 1000)
      : (options.created ?? Math.floor(Date.now() / 1000));
  const event = {
    id: options.id ?? randomId('evt_', 24),
    object: 'event',
    api_version: EVENT_API_VERSION,
    created,
    data: {
      object,
      ...(options.previousAttributes ? { previous_attributes: options.previousAttributes } : {}),
    },
    livemode: options.livemode ?? false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
  // The union of every event type cannot be built generically; the shape above is what Stripe sends.
  return event as unknown as Stripe.Event;
}

export interface SignedWebhook {
  /** the exact bytes to deliver as the request body */
  payload: string;
  /** the Stripe-Signature header value */
  header: string;
}

/** Signs a webhook body the way Stripe does, through the official client's test helper. */
export function signStripeWebhook(
  stripe: Stripe,
  payload: string | object,
  secret: string,
  options: { timestamp?: number } = {},
): SignedWebhook {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload, null, 2);
  const header = stripe.webhooks.generateTestHeaderString({
    payload: body,
    secret,
    ...(options.timestamp !== undefined ? { timestamp: options.timestamp } : {}),
  });
  return { payload: body, header };
}

export interface FakeInvoiceInput {
  id?: string;
  customer: string;
  subscription?: string;
  status?: 'draft' | 'open' | 'paid' | 'uncollectible' | 'void';
  amountDue?: number;
  amountPaid?: number;
  currency?: string;
  attemptCount?: number;
  nextPaymentAttempt?: number | null;
  periodStart?: number;
  periodEnd?: number;
}

/** An invoice in the 2025 API shape: the subscription sits under parent.subscription_details. */
export function fakeInvoice(input: FakeInvoiceInput): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    id: input.id ?? randomId('in_', 24),
    object: 'invoice',
    amount_due: input.amountDue ?? 0,
    amount_paid: input.amountPaid ?? 0,
    amount_remaining: (input.amountDue ?? 0) - (input.amountPaid ?? 0),
    attempt_count: input.attemptCount ?? 1,
    attempted: true,
    billing_reason: 'subscription_cycle',
    collection_method: 'charge_automatically',
    created: now,
    currency: input.currency ?? 'usd',
    customer: input.customer,
    livemode: false,
    next_payment_attempt: input.nextPaymentAttempt ?? null,
    parent: input.subscription
      ? {
          quote_details: null,
          subscription_details: { metadata: {}, subscription: input.subscription },
          type: 'subscription_details',
        }
      : null,
    period_end: input.periodEnd ?? now,
    period_start: input.periodStart ?? now - 30 * 86_400,
    status: input.status ?? 'open',
  };
}
