import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStripeEvent, fakeInvoice, signStripeWebhook } from '../../../../test/fakes/stripe/webhook.ts';
import { createStripeClient } from '../stripe/client.ts';
import { enforcePaymentGrace } from './grace.ts';
import { PAYMENT_FAILED_REASON } from './suspension.ts';
import { syncStripe } from './sync.ts';
import {
  connectedProvider,
  consumerOf,
  encryptionKey,
  type FakeStripe,
  listenConfig,
  startFakeStripe,
  stripeCustomerId,
  testDb,
} from './test/world.ts';
import { handleStripeWebhook } from './webhooks.ts';

const db = testDb();
const DAY = 86_400_000;
let fake: FakeStripe;
let signer: Stripe;
beforeAll(async () => {
  fake = await startFakeStripe();
  signer = createStripeClient({ secretKey: fake.secretKey, apiBase: fake.url });
});
afterAll(() => fake.close());

/** A connected provider whose consumer is linked to a Stripe customer and subscription. */
async function billedConsumer(graceDays = 3) {
  const world = await connectedProvider(fake, { graceDays });
  const consumer = await consumerOf(world.plan.id);
  const summary = await syncStripe(db, {
    now: new Date(),
    encryptionKey,
    apiBase: fake.url,
    orgId: world.org.id,
  });
  expect(summary.errors).toEqual([]);
  const customerId = await stripeCustomerId(world.org.id, consumer.org.id);
  const { stripeSubscriptionId } = await db.subscription.findUniqueOrThrow({
    where: { id: consumer.subscription.id },
  });
  const deliver = (
    event: Stripe.Event,
    options: { now?: Date; timestamp?: number; secret?: string; signature?: string | null } = {},
  ) => {
    const now = options.now ?? new Date();
    const signed = signStripeWebhook(signer, event, options.secret ?? world.webhookSecret, {
      timestamp: options.timestamp ?? Math.floor(now.getTime() / 1000),
    });
    return handleStripeWebhook(db, {
      orgId: world.org.id,
      rawBody: signed.payload,
      signature: options.signature === undefined ? signed.header : options.signature,
      now,
      encryptionKey,
      apiBase: fake.url,
    });
  };
  const invoiceEvent = (type: string, created: Date, extra: Record<string, unknown> = {}) =>
    buildStripeEvent(
      type,
      fakeInvoice({
        customer: customerId,
        subscription: stripeSubscriptionId!,
        status: type === 'invoice.payment_failed' ? 'open' : 'paid',
        amountDue: 1000,
        amountPaid: type === 'invoice.payment_failed' ? 0 : 1000,
        ...extra,
      }),
      { created },
    );
  const customerRow = () =>
    db.stripeCustomer.findFirstOrThrow({
      where: { providerOrgId: world.org.id, customerOrgId: consumer.org.id },
    });
  const subscriptionRow = () =>
    db.subscription.findUniqueOrThrow({ where: { id: consumer.subscription.id } });
  return {
    ...world,
    consumer,
    customerId,
    stripeSubscriptionId: stripeSubscriptionId!,
    deliver,
    invoiceEvent,
    customerRow,
    subscriptionRow,
  };
}

describe('handleStripeWebhook: verification', () => {
  it('applies a correctly signed event and refuses bad signatures and timestamps outside ±300 s', async () => {
    const world = await billedConsumer();
    // One clock for signing and verifying: the edge stays the edge however long the deliveries take.
    const nowSeconds = Math.floor(Date.now() / 1000);
    const now = new Date(nowSeconds * 1000);
    const event = () => world.invoiceEvent('invoice.payment_failed', now);

    const refusals = [
      [await world.deliver(event(), { now, secret: 'whsec_someoneelse123456' }), 'bad_signature'],
      [await world.deliver(event(), { now, timestamp: nowSeconds - 301 }), 'timestamp_out_of_tolerance'],
      [await world.deliver(event(), { now, timestamp: nowSeconds + 301 }), 'timestamp_out_of_tolerance'],
      [await world.deliver(event(), { now, signature: null }), 'missing_signature'],
    ] as const;
    for (const [result, reason] of refusals) {
      expect(result).toMatchObject({ status: 400, body: { error: reason } });
    }
    expect(await db.stripeEvent.count({ where: { orgId: world.org.id } })).toBe(0);
    expect((await world.customerRow()).delinquentSince).toBeNull();

    const edge = await world.deliver(event(), { now, timestamp: nowSeconds - 300 });
    expect(edge).toMatchObject({
      status: 200,
      body: { received: true, kind: 'payment_failed', applied: true },
    });
    expect((await world.customerRow()).delinquentSince).toEqual(new Date(nowSeconds * 1000));
  });

  it('answers 404 for an org without Stripe or an unknown org, and 400 for a body that is not an event', async () => {
    const world = await billedConsumer();
    const input = {
      rawBody: '{}',
      signature: 't=1,v1=abc',
      now: new Date(),
      encryptionKey,
      apiBase: fake.url,
    };
    expect(await handleStripeWebhook(db, { ...input, orgId: 'no-such-org' })).toMatchObject({ status: 404 });
    expect(await handleStripeWebhook(db, { ...input, orgId: '../../etc' })).toMatchObject({ status: 404 });
    expect(await handleStripeWebhook(db, { ...input, orgId: world.consumer.org.id })).toMatchObject({
      status: 404,
    });
    const garbage = signStripeWebhook(signer, 'not json', world.webhookSecret);
    expect(
      await handleStripeWebhook(db, {
        ...input,
        orgId: world.org.id,
        rawBody: garbage.payload,
        signature: garbage.header,
      }),
    ).toMatchObject({ status: 400, body: { error: 'malformed' } });
  });

  it('answers 500 (Stripe retries later) when the stored secret cannot be decrypted', async () => {
    const world = await billedConsumer();
    const wrongKey = Buffer.alloc(32, 7);
    const signed = signStripeWebhook(
      signer,
      world.invoiceEvent('invoice.paid', new Date()),
      world.webhookSecret,
    );
    const result = await handleStripeWebhook(db, {
      orgId: world.org.id,
      rawBody: signed.payload,
      signature: signed.header,
      now: new Date(),
      encryptionKey: wrongKey,
    });
    expect(result).toEqual({ status: 500, body: { error: 'stripe_credentials_unreadable' } });
  });
});

describe('handleStripeWebhook: payment state', () => {
  it('applies an event delivered twice once', async () => {
    const world = await billedConsumer();
    const event = world.invoiceEvent('invoice.payment_failed', new Date());
    expect(await world.deliver(event)).toMatchObject({ status: 200, body: { applied: true } });
    expect(await world.deliver(event)).toEqual({ status: 200, body: { received: true, duplicate: true } });
    expect(await db.stripeEvent.count({ where: { id: event.id } })).toBe(1);
  });

  it('ignores a failure older than the success already applied (out of order), and the reverse', async () => {
    const world = await billedConsumer();
    const t = Date.now() - 60_000;
    const success = world.invoiceEvent('invoice.paid', new Date(t));
    const olderFailure = world.invoiceEvent('invoice.payment_failed', new Date(t - 10_000));
    expect(await world.deliver(success)).toMatchObject({ body: { applied: true } });
    expect(await world.deliver(olderFailure)).toMatchObject({
      status: 200,
      body: { applied: false, reason: expect.stringMatching(/older/) },
    });
    expect(await world.customerRow()).toMatchObject({
      delinquentSince: null,
      lastPaymentEventAt: new Date(Math.floor(t / 1000) * 1000),
    });

    const newerFailure = world.invoiceEvent('invoice.payment_failed', new Date(t + 10_000));
    const staleSuccess = world.invoiceEvent('invoice.paid', new Date(t + 5_000));
    await world.deliver(newerFailure);
    expect(await world.deliver(staleSuccess)).toMatchObject({ body: { applied: false } });
    expect((await world.customerRow()).delinquentSince).not.toBeNull();
    // A success in the same second as the failure wins: a paid invoice stays paid.
    const sameSecond = world.invoiceEvent('invoice.paid', new Date(t + 10_000));
    expect(await world.deliver(sameSecond)).toMatchObject({ body: { applied: true } });
    expect((await world.customerRow()).delinquentSince).toBeNull();
  });

  it('payment failure + grace elapsed → suspended (payment_failed, NOTIFY); payment success → resumed', async () => {
    const world = await billedConsumer(2);
    const manual = await consumerOf(world.plan.id, 'ACTIVE');
    await db.subscription.update({
      where: { id: manual.subscription.id },
      data: { status: 'SUSPENDED', suspendedReason: 'manual' },
    });
    const failedAt = new Date(Date.now() - 10_000);
    await world.deliver(world.invoiceEvent('invoice.payment_failed', failedAt));
    // A retry failing later does not move the start of the grace period.
    await world.deliver(world.invoiceEvent('invoice.payment_failed', new Date(failedAt.getTime() + 5_000)));
    const since = (await world.customerRow()).delinquentSince!;
    expect(since).toEqual(new Date(Math.floor(failedAt.getTime() / 1000) * 1000));

    const mine = (summary: Awaited<ReturnType<typeof enforcePaymentGrace>>) =>
      summary.suspended.filter((entry) => entry.providerOrgId === world.org.id);
    expect(mine(await enforcePaymentGrace(db, { now: new Date(since.getTime() + 2 * DAY) }))).toEqual([]);
    expect((await world.subscriptionRow()).status).toBe('ACTIVE');

    const listener = await listenConfig();
    try {
      const graceOver = await enforcePaymentGrace(db, { now: new Date(since.getTime() + 2 * DAY + 1000) });
      expect(mine(graceOver)).toEqual([
        {
          subscriptionId: world.consumer.subscription.id,
          providerOrgId: world.org.id,
          customerOrgId: world.consumer.org.id,
        },
      ]);
      await listener.subscription(world.consumer.subscription.id);
      expect(await world.subscriptionRow()).toMatchObject({
        status: 'SUSPENDED',
        suspendedReason: PAYMENT_FAILED_REASON,
      });
      expect(
        await db.auditLog.findFirst({
          where: { targetId: world.consumer.subscription.id, action: 'subscription.suspend' },
        }),
      ).toMatchObject({
        orgId: world.org.id,
        actorId: null,
        after: { status: 'SUSPENDED', reason: PAYMENT_FAILED_REASON },
      });
      // Running it again changes nothing.
      expect(
        mine(await enforcePaymentGrace(db, { now: new Date(since.getTime() + 2 * DAY + 2000) })),
      ).toEqual([]);

      const invoice = await db.invoice.create({
        data: {
          number: `INV-${Date.now()}`,
          customerOrgId: world.consumer.org.id,
          providerOrgId: world.org.id,
          subscriptionId: world.consumer.subscription.id,
          periodStart: new Date(Date.now() - 30 * DAY),
          periodEnd: new Date(),
          status: 'FINALIZED',
          currency: 'usd',
          totalMinor: 1000n,
          billedVia: 'stripe',
        },
      });
      listener.seen.length = 0;
      const paid = await world.deliver(world.invoiceEvent('invoice.paid', new Date()));
      expect(paid).toMatchObject({
        status: 200,
        body: { applied: true, resumedSubscriptions: 1, paidInvoices: 1 },
      });
      await listener.subscription(world.consumer.subscription.id);
      expect(await world.subscriptionRow()).toMatchObject({ status: 'ACTIVE', suspendedReason: null });
      expect(
        await db.subscription.findUniqueOrThrow({ where: { id: manual.subscription.id } }),
      ).toMatchObject({
        status: 'SUSPENDED',
        suspendedReason: 'manual',
      });
      expect(await db.invoice.findUniqueOrThrow({ where: { id: invoice.id } })).toMatchObject({
        status: 'PAID',
      });
      expect((await world.customerRow()).delinquentSince).toBeNull();
      expect(
        await db.auditLog.findFirst({
          where: { targetId: world.consumer.subscription.id, action: 'subscription.resume' },
        }),
      ).toMatchObject({ actorId: null, after: { status: 'ACTIVE' } });
    } finally {
      await listener.close();
    }
  });

  it('a success arriving while the grace job runs is never overridden by it', async () => {
    const world = await billedConsumer(0);
    await world.deliver(world.invoiceEvent('invoice.payment_failed', new Date(Date.now() - 5_000)));
    const later = new Date(Date.now() + 60_000);
    await Promise.all([
      world.deliver(world.invoiceEvent('invoice.paid', new Date())),
      enforcePaymentGrace(db, { now: later }),
    ]);
    // Whichever ran first, the success was applied last or saw the suspension and lifted it.
    expect(await world.subscriptionRow()).toMatchObject({ status: 'ACTIVE', suspendedReason: null });
    expect((await world.customerRow()).delinquentSince).toBeNull();
  });
});

describe('handleStripeWebhook: payment methods', () => {
  it('a completed setup session marks the customer as having a payment method and makes it the default', async () => {
    const world = await billedConsumer();
    const tenant = createStripeClient({ secretKey: world.secretKey, apiBase: fake.url });
    const session = await tenant.checkout.sessions.create({
      mode: 'setup',
      customer: world.customerId,
      currency: 'usd',
      success_url: 'https://portal.test/ok',
      cancel_url: 'https://portal.test/cancel',
    });
    const { setupIntent, paymentMethodId } = fake.state.completeSetupSession(session.id);
    const result = await world.deliver(buildStripeEvent('setup_intent.succeeded', setupIntent));
    expect(result).toMatchObject({
      status: 200,
      body: { kind: 'payment_method_attached', applied: true, defaultPaymentMethod: 'set' },
    });
    expect((await world.customerRow()).hasPaymentMethod).toBe(true);
    expect(fake.state.customers.get(world.customerId)).toMatchObject({
      invoice_settings: { default_payment_method: paymentMethodId },
    });
  });

  it('Stripe unreachable while setting the default → 503 and nothing recorded, so the redelivery applies it', async () => {
    const world = await billedConsumer();
    const event = buildStripeEvent('setup_intent.succeeded', {
      id: 'seti_unreachable',
      object: 'setup_intent',
      customer: world.customerId,
      payment_method: 'pm_unknown',
      status: 'succeeded',
    });
    fake.state.injectFailures({
      method: 'POST',
      path: `/v1/customers/${world.customerId}`,
      count: 3,
      kind: 'http_500',
    });
    expect(await world.deliver(event)).toMatchObject({ status: 503, body: { error: 'stripe_unavailable' } });
    expect(await db.stripeEvent.count({ where: { id: event.id } })).toBe(0);
    // The redelivery: this payment method is not attached, which Stripe refuses for good; still recorded.
    expect(await world.deliver(event)).toMatchObject({
      status: 200,
      body: { applied: true, defaultPaymentMethod: expect.stringMatching(/^refused: /) },
    });
    expect((await world.customerRow()).hasPaymentMethod).toBe(true);
  });

  it('records events of the other mode and for unknown customers without applying them', async () => {
    const world = await billedConsumer();
    const live = buildStripeEvent('invoice.payment_failed', fakeInvoice({ customer: world.customerId }), {
      livemode: true,
    });
    expect(await world.deliver(live)).toMatchObject({
      status: 200,
      body: { applied: false, reason: 'other mode' },
    });
    const stranger = buildStripeEvent('invoice.payment_failed', fakeInvoice({ customer: 'cus_stranger' }));
    expect(await world.deliver(stranger)).toMatchObject({
      status: 200,
      body: { applied: false, reason: 'unknown customer' },
    });
    expect((await world.customerRow()).delinquentSince).toBeNull();
    expect(await db.stripeEvent.count({ where: { id: { in: [live.id, stranger.id] } } })).toBe(2);
  });
});
