import { describe, expect, it } from 'vitest';
import { buildStripeEvent, fakeInvoice, signStripeWebhook } from '../../../../test/fakes/stripe/webhook.ts';
import { createStripeClient } from './client.ts';
import { interpretStripeEvent, isNewerPaymentEvent, verifyStripeWebhook } from './webhooks.ts';

const stripe = createStripeClient({ secretKey: 'sk_test_webhookunit000000', apiBase: 'http://127.0.0.1:9' });
const SECRET = 'whsec_unit_test_secret';
const NOW = new Date('2026-03-01T12:00:00Z');
const nowSeconds = Math.floor(NOW.getTime() / 1000);

function delivery(timestamp = nowSeconds, secret = SECRET) {
  const event = buildStripeEvent('invoice.paid', fakeInvoice({ customer: 'cus_1', status: 'paid' }), {
    created: timestamp,
  });
  return { event, ...signStripeWebhook(stripe, event, secret, { timestamp }) };
}

describe('verifyStripeWebhook', () => {
  it('accepts a correctly signed, current delivery and returns the event', () => {
    const { event, payload, header } = delivery();
    const result = verifyStripeWebhook(stripe, payload, header, SECRET, { now: NOW });
    expect(result).toMatchObject({ ok: true, event: { id: event.id, type: 'invoice.paid' } });
    expect(result.ok && result.signedAt.getTime()).toBe(nowSeconds * 1000);
  });

  it('accepts the raw body as a Buffer', () => {
    const { payload, header } = delivery();
    expect(verifyStripeWebhook(stripe, Buffer.from(payload), header, SECRET, { now: NOW }).ok).toBe(true);
  });

  it('refuses a signature made with another secret', () => {
    const { payload, header } = delivery(nowSeconds, 'whsec_someone_else');
    expect(verifyStripeWebhook(stripe, payload, header, SECRET, { now: NOW })).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('refuses a body changed after signing', () => {
    const { payload, header } = delivery();
    const tampered = payload.replace('"cus_1"', '"cus_2"');
    expect(tampered).not.toBe(payload);
    expect(verifyStripeWebhook(stripe, tampered, header, SECRET, { now: NOW })).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('refuses a missing or empty signature header', () => {
    const { payload } = delivery();
    expect(verifyStripeWebhook(stripe, payload, undefined, SECRET, { now: NOW })).toMatchObject({
      reason: 'missing_signature',
    });
    expect(verifyStripeWebhook(stripe, payload, '  ', SECRET, { now: NOW })).toMatchObject({
      reason: 'missing_signature',
    });
  });

  it('refuses headers without a numeric timestamp or a v1 signature as malformed', () => {
    const { payload, header } = delivery();
    const signature = header.split(',').find((part) => part.startsWith('v1='))!;
    expect(verifyStripeWebhook(stripe, payload, signature, SECRET, { now: NOW })).toMatchObject({
      reason: 'malformed',
    });
    expect(verifyStripeWebhook(stripe, payload, `t=soon,${signature}`, SECRET, { now: NOW })).toMatchObject({
      reason: 'malformed',
    });
    expect(verifyStripeWebhook(stripe, payload, `t=${nowSeconds}`, SECRET, { now: NOW })).toMatchObject({
      reason: 'malformed',
    });
  });

  it('accepts a delivery signed 299 s ago, and 300 s either way', () => {
    for (const offset of [-299, -300, 300, 299]) {
      const { payload, header } = delivery(nowSeconds + offset);
      expect(verifyStripeWebhook(stripe, payload, header, SECRET, { now: NOW }).ok, `offset ${offset}`).toBe(
        true,
      );
    }
  });

  it('refuses a delivery signed 301 s ago', () => {
    const { payload, header } = delivery(nowSeconds - 301);
    expect(verifyStripeWebhook(stripe, payload, header, SECRET, { now: NOW })).toMatchObject({
      ok: false,
      reason: 'timestamp_out_of_tolerance',
    });
  });

  it('refuses a delivery signed 301 s in the future, which stripe-node alone would accept', () => {
    const { payload, header } = delivery(nowSeconds + 301);
    expect(() =>
      stripe.webhooks.constructEvent(payload, header, SECRET, 300, undefined, NOW.getTime()),
    ).not.toThrow();
    expect(verifyStripeWebhook(stripe, payload, header, SECRET, { now: NOW })).toMatchObject({
      ok: false,
      reason: 'timestamp_out_of_tolerance',
    });
  });

  it('honours a custom tolerance', () => {
    const { payload, header } = delivery(nowSeconds - 30);
    expect(
      verifyStripeWebhook(stripe, payload, header, SECRET, { now: NOW, toleranceSeconds: 10 }),
    ).toMatchObject({
      reason: 'timestamp_out_of_tolerance',
    });
  });

  it('accepts any matching signature among several, as during secret rotation', () => {
    const { payload, header } = delivery();
    const good = header.split(',').find((part) => part.startsWith('v1='))!;
    const rotated = `t=${nowSeconds},v1=${'0'.repeat(64)},${good}`;
    expect(verifyStripeWebhook(stripe, payload, rotated, SECRET, { now: NOW }).ok).toBe(true);
  });

  it('refuses a correctly signed body that is not a Stripe event', () => {
    const notJson = signStripeWebhook(stripe, 'not json', SECRET, { timestamp: nowSeconds });
    expect(verifyStripeWebhook(stripe, notJson.payload, notJson.header, SECRET, { now: NOW })).toMatchObject({
      reason: 'malformed',
    });
    const notEvent = signStripeWebhook(stripe, { hello: 'world' }, SECRET, { timestamp: nowSeconds });
    expect(
      verifyStripeWebhook(stripe, notEvent.payload, notEvent.header, SECRET, { now: NOW }),
    ).toMatchObject({
      reason: 'malformed',
    });
  });
});

describe('interpretStripeEvent', () => {
  const created = new Date('2026-02-01T00:00:00Z');

  it('reads invoice.payment_failed with the 2025 parent.subscription_details shape', () => {
    const invoice = fakeInvoice({
      id: 'in_1',
      customer: 'cus_1',
      subscription: 'sub_1',
      amountDue: 4200,
      attemptCount: 2,
      nextPaymentAttempt: 1_770_000_000,
    });
    const result = interpretStripeEvent(
      buildStripeEvent('invoice.payment_failed', invoice, { created, id: 'evt_1' }),
    );
    expect(result).toEqual({
      eventId: 'evt_1',
      type: 'invoice.payment_failed',
      occurredAt: created,
      livemode: false,
      kind: 'payment_failed',
      customerId: 'cus_1',
      stripeInvoiceId: 'in_1',
      subscriptionId: 'sub_1',
      attemptCount: 2,
      nextPaymentAttemptAt: new Date(1_770_000_000_000),
      amountDueMinor: 4200n,
      currency: 'usd',
    });
  });

  it('reads the subscription from older API versions, where it sits on the invoice', () => {
    const legacy = { ...fakeInvoice({ customer: 'cus_1' }), subscription: 'sub_old' };
    const result = interpretStripeEvent(buildStripeEvent('invoice.payment_failed', legacy, { created }));
    expect(result).toMatchObject({
      kind: 'payment_failed',
      subscriptionId: 'sub_old',
      nextPaymentAttemptAt: null,
    });
  });

  it('maps invoice.paid and invoice.payment_succeeded to payment_succeeded', () => {
    for (const type of ['invoice.paid', 'invoice.payment_succeeded']) {
      const invoice = fakeInvoice({
        id: 'in_2',
        customer: 'cus_1',
        subscription: 'sub_1',
        amountPaid: 999,
        status: 'paid',
      });
      expect(interpretStripeEvent(buildStripeEvent(type, invoice, { created }))).toMatchObject({
        kind: 'payment_succeeded',
        type,
        customerId: 'cus_1',
        stripeInvoiceId: 'in_2',
        subscriptionId: 'sub_1',
        amountPaidMinor: 999n,
        occurredAt: created,
      });
    }
  });

  it('maps a completed setup-mode Checkout Session to payment_method_attached', () => {
    const session = {
      id: 'cs_test_1',
      object: 'checkout.session',
      mode: 'setup',
      customer: 'cus_1',
      setup_intent: 'seti_1',
    };
    expect(
      interpretStripeEvent(buildStripeEvent('checkout.session.completed', session, { created })),
    ).toMatchObject({
      kind: 'payment_method_attached',
      customerId: 'cus_1',
      checkoutSessionId: 'cs_test_1',
      setupIntentId: 'seti_1',
      paymentMethodId: null,
    });
  });

  it('ignores Checkout Sessions in payment mode', () => {
    const session = { id: 'cs_test_2', object: 'checkout.session', mode: 'payment', customer: 'cus_1' };
    expect(
      interpretStripeEvent(buildStripeEvent('checkout.session.completed', session, { created })).kind,
    ).toBe('ignored');
  });

  it('maps setup_intent.succeeded to payment_method_attached with the payment method', () => {
    const intent = {
      id: 'seti_1',
      object: 'setup_intent',
      customer: 'cus_1',
      payment_method: 'pm_1',
      status: 'succeeded',
    };
    expect(
      interpretStripeEvent(buildStripeEvent('setup_intent.succeeded', intent, { created })),
    ).toMatchObject({
      kind: 'payment_method_attached',
      customerId: 'cus_1',
      setupIntentId: 'seti_1',
      paymentMethodId: 'pm_1',
    });
  });

  it("maps setup_intent.setup_failed to payment_method_refused with Stripe's message", () => {
    const intent = {
      id: 'seti_2',
      object: 'setup_intent',
      customer: 'cus_1',
      status: 'requires_payment_method',
      last_setup_error: { code: 'card_declined', message: 'Your card was declined.', type: 'card_error' },
    };
    expect(
      interpretStripeEvent(buildStripeEvent('setup_intent.setup_failed', intent, { created })),
    ).toMatchObject({
      kind: 'payment_method_refused',
      customerId: 'cus_1',
      setupIntentId: 'seti_2',
      message: 'Your card was declined.',
    });
    const silent = { ...intent, last_setup_error: null };
    expect(
      interpretStripeEvent(buildStripeEvent('setup_intent.setup_failed', silent, { created })),
    ).toMatchObject({
      kind: 'payment_method_refused',
      message: 'Stripe could not set up this payment method.',
    });
  });

  it('maps subscription updates and deletions', () => {
    const subscription = {
      id: 'sub_1',
      object: 'subscription',
      customer: 'cus_1',
      status: 'past_due',
      cancel_at_period_end: true,
    };
    expect(
      interpretStripeEvent(buildStripeEvent('customer.subscription.updated', subscription, { created })),
    ).toMatchObject({
      kind: 'subscription_updated',
      subscriptionId: 'sub_1',
      status: 'past_due',
      cancelAtPeriodEnd: true,
      deleted: false,
    });
    expect(
      interpretStripeEvent(
        buildStripeEvent('customer.subscription.deleted', { ...subscription, status: 'active' }, { created }),
      ),
    ).toMatchObject({ kind: 'subscription_updated', status: 'canceled', deleted: true });
  });

  it('ignores other events and invoices without a customer', () => {
    expect(
      interpretStripeEvent(
        buildStripeEvent('charge.refunded', { id: 'ch_1', object: 'charge' }, { created }),
      ),
    ).toMatchObject({
      kind: 'ignored',
      occurredAt: created,
    });
    const orphan = { ...fakeInvoice({ customer: 'x' }), customer: null };
    expect(interpretStripeEvent(buildStripeEvent('invoice.paid', orphan, { created })).kind).toBe('ignored');
  });
});

describe('isNewerPaymentEvent', () => {
  const t = (seconds: number) => new Date(seconds * 1000);

  it('applies later events and refuses earlier ones that arrive late', () => {
    expect(isNewerPaymentEvent({ occurredAt: t(10), kind: 'payment_failed' }, null)).toBe(true);
    expect(
      isNewerPaymentEvent(
        { occurredAt: t(11), kind: 'payment_failed' },
        { occurredAt: t(10), kind: 'payment_succeeded' },
      ),
    ).toBe(true);
    expect(
      isNewerPaymentEvent(
        { occurredAt: t(9), kind: 'payment_succeeded' },
        { occurredAt: t(10), kind: 'payment_failed' },
      ),
    ).toBe(false);
  });

  it('lets a success beat a failure within the same second, never the reverse', () => {
    expect(
      isNewerPaymentEvent(
        { occurredAt: t(10), kind: 'payment_succeeded' },
        { occurredAt: t(10), kind: 'payment_failed' },
      ),
    ).toBe(true);
    expect(
      isNewerPaymentEvent(
        { occurredAt: t(10), kind: 'payment_failed' },
        { occurredAt: t(10), kind: 'payment_succeeded' },
      ),
    ).toBe(false);
  });
});
