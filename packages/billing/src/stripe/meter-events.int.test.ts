import type Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeStripe, startFakeStripe } from '../../../../test/fakes/stripe/server.ts';
import { ensurePlanCatalog } from './catalog.ts';
import { createStripeClient } from './client.ts';
import { ensureCustomer } from './customers.ts';
import { type MeterEventToSend, meterEventIdentifier, sendMeterEvents } from './meter-events.ts';

let fake: FakeStripe;
let stripe: Stripe;
let customerId: string;
let eventName: string;
let seq = 0;

beforeAll(async () => {
  fake = await startFakeStripe();
  stripe = createStripeClient({ secretKey: fake.secretKey, apiBase: fake.url });
});
afterAll(() => fake.close());

beforeEach(async () => {
  seq += 1;
  eventName = `portcullis.calls.m${seq}`;
  await ensurePlanCatalog(stripe, {
    tenantOrgId: 'org_t',
    planId: `plan_m${seq}`,
    planName: 'Metered',
    currency: 'usd',
    flatFeeMinor: 0n,
    usage: { meterEventName: eventName, unitAmountDecimal: '0.1' },
  });
  ({ customerId } = await ensureCustomer(stripe, {
    tenantOrgId: 'org_t',
    consumerOrgId: `org_c${seq}`,
    name: 'Consumer',
  }));
});

function usage(bucketMinute: number, value: bigint | number): MeterEventToSend {
  const timestamp = new Date(Date.now() - 3_600_000 + bucketMinute * 60_000);
  return {
    identifier: meterEventIdentifier(['sub_x', seq, timestamp, value]),
    eventName,
    customerId,
    value,
    timestamp,
  };
}

const meterPosts = () => fake.state.requestsTo('POST', '/v1/billing/meter_events');
const total = () => fake.state.meterTotal(eventName, customerId);

describe('sendMeterEvents', () => {
  it('sends aggregated values that Stripe sums per customer', async () => {
    const events = [usage(1, 5n), usage(2, 7), usage(3, 11n)];
    const outcomes = await sendMeterEvents(stripe, events);
    expect(outcomes).toEqual(events.map((e) => ({ identifier: e.identifier, status: 'sent' })));
    expect(total()).toBe(23n);
    const sent = fake.state.meterEvents.find((e) => e.identifier === events[0]!.identifier);
    expect(sent).toMatchObject({ value: '5', timestamp: Math.floor(events[0]!.timestamp.getTime() / 1000) });
  });

  it('reports a resend as duplicate and never counts it twice', async () => {
    const events = [usage(1, 5n), usage(2, 7n)];
    await sendMeterEvents(stripe, events);
    const resend = await sendMeterEvents(stripe, events);
    expect(resend.map((o) => o.status)).toEqual(['duplicate', 'duplicate']);
    expect(total()).toBe(12n);
    expect(fake.state.duplicateMeterEventAttempts).toBeGreaterThanOrEqual(2);
  });

  it('gets through injected 500s by retrying with the same idempotency key, counting once', async () => {
    fake.state.injectFailures({
      method: 'POST',
      path: '/v1/billing/meter_events',
      count: 2,
      kind: 'http_500',
    });
    const before = meterPosts().length;
    const [outcome] = await sendMeterEvents(stripe, [usage(1, 9n)]);
    expect(outcome?.status).toBe('sent');
    const attempts = meterPosts().slice(before);
    expect(attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    expect(new Set(attempts.map((a) => a.idempotencyKey)).size).toBe(1);
    expect(total()).toBe(9n);
  });

  it('counts once when the response to a stored event was lost and the retry was replayed', async () => {
    fake.state.injectFailures({
      method: 'POST',
      path: '/v1/billing/meter_events',
      count: 1,
      kind: 'reset_after_commit',
    });
    const before = meterPosts().length;
    const [outcome] = await sendMeterEvents(stripe, [usage(1, 4n)]);
    expect(outcome?.status).toBe('sent');
    expect(
      meterPosts()
        .slice(before)
        .map((a) => a.outcome),
    ).toEqual(['reset_after_commit', 'replayed']);
    expect(total()).toBe(4n);
  });

  it('fails retryably when every attempt is lost, and the later resend is a duplicate, not a second count', async () => {
    fake.state.injectFailures({
      method: 'POST',
      path: '/v1/billing/meter_events',
      count: 3,
      kind: 'reset_after_commit',
    });
    const event = usage(1, 6n);
    const [lost] = await sendMeterEvents(stripe, [event]);
    expect(lost).toMatchObject({ status: 'failed', retryable: true });
    expect(total()).toBe(6n);

    const [resent] = await sendMeterEvents(stripe, [event]);
    expect(resent?.status).toBe('duplicate');
    expect(total()).toBe(6n);
  });

  it('fails retryably after exhausting retries on 500s, then sends on the next attempt', async () => {
    fake.state.injectFailures({
      method: 'POST',
      path: '/v1/billing/meter_events',
      count: 3,
      kind: 'http_500',
    });
    const event = usage(1, 8n);
    const [failed] = await sendMeterEvents(stripe, [event]);
    expect(failed).toMatchObject({ status: 'failed', retryable: true });
    expect(failed?.error).toMatch(/500/);
    expect(total()).toBe(0n);
    const [sent] = await sendMeterEvents(stripe, [event]);
    expect(sent?.status).toBe('sent');
    expect(total()).toBe(8n);
  });

  it('reports timestamps outside Stripe’s window as failed without calling Stripe', async () => {
    const now = Date.now();
    const tooOld = { ...usage(0, 1n), identifier: 'old-1', timestamp: new Date(now - 36 * 86_400_000) };
    const tooNew = { ...usage(0, 1n), identifier: 'future-1', timestamp: new Date(now + 6 * 60_000) };
    const before = meterPosts().length;
    const outcomes = await sendMeterEvents(stripe, [tooOld, tooNew], { now: () => now });
    expect(outcomes[0]).toMatchObject({ status: 'failed', retryable: false });
    expect(outcomes[0]?.error).toMatch(/older than the 35 days/);
    expect(outcomes[1]?.error).toMatch(/5 minutes in the future/);
    expect(meterPosts().length).toBe(before);
  });

  it('reports Stripe’s own timestamp refusal as a non-retryable failure', async () => {
    // Our clock says the event is fresh; Stripe's (real time) says it is 40 days old.
    const skewed = Date.now() - 40 * 86_400_000;
    const event = { ...usage(0, 1n), identifier: 'skewed-1', timestamp: new Date(skewed) };
    const [outcome] = await sendMeterEvents(stripe, [event], { now: () => skewed });
    expect(outcome).toMatchObject({ status: 'failed', retryable: false });
    expect(outcome?.error).toMatch(/HTTP 400.*35 calendar days/);
  });

  it('refuses negative, fractional and unsafe values and bad identifiers locally', async () => {
    const outcomes = await sendMeterEvents(stripe, [
      { ...usage(1, -1n), identifier: 'neg' },
      { ...usage(1, 1.5), identifier: 'frac' },
      { ...usage(1, 2 ** 60), identifier: 'unsafe' },
      { ...usage(1, 1n), identifier: 'has space' },
      { ...usage(1, 1n), identifier: 'x'.repeat(101) },
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['failed', 'failed', 'failed', 'failed', 'failed']);
    expect(total()).toBe(0n);
  });

  it('sends an identifier repeated within one batch once', async () => {
    const event = usage(1, 3n);
    const before = meterPosts().length;
    const outcomes = await sendMeterEvents(stripe, [event, event, event]);
    expect(outcomes.map((o) => o.status)).toEqual(['sent', 'duplicate', 'duplicate']);
    expect(meterPosts().length - before).toBe(1);
    expect(total()).toBe(3n);
  });

  it('sums values beyond 2^53 exactly', async () => {
    const big = 2n ** 62n + 1n;
    await sendMeterEvents(stripe, [usage(1, big), usage(2, big)]);
    expect(total()).toBe(2n * big);
  });

  it('sends many events with bounded concurrency and keeps outcomes in input order', async () => {
    const events = Array.from({ length: 25 }, (_, i) => usage(i, BigInt(i + 1)));
    const outcomes = await sendMeterEvents(stripe, events, { concurrency: 3 });
    expect(outcomes.map((o) => o.identifier)).toEqual(events.map((e) => e.identifier));
    expect(outcomes.every((o) => o.status === 'sent')).toBe(true);
    expect(total()).toBe(325n);
  });
});
