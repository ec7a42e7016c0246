import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeStripe, startFakeStripe } from '../../../../test/fakes/stripe/server.ts';
import { buildStripeEvent, signStripeWebhook } from '../../../../test/fakes/stripe/webhook.ts';
import { ensurePlanCatalog, type PlanCatalog } from './catalog.ts';
import { createStripeClient, STRIPE_API_VERSION } from './client.ts';
import { ensureCustomer, ensureSubscription, setCustomerDefaultPaymentMethod } from './customers.ts';
import { createCustomerPortalLink, createPaymentMethodSetupSession } from './sessions.ts';
import { interpretStripeEvent, verifyStripeWebhook } from './webhooks.ts';

const TENANT_A = 'sk_test_tenantaaaaaaaaaaaaaaaa';
const TENANT_B = 'sk_test_tenantbbbbbbbbbbbbbbbb';
const WEBHOOK_SECRET = 'whsec_tenant_a';

let fake: FakeStripe;
let stripe: Stripe;
let catalog: PlanCatalog;
let seq = 0;
const consumer = () => `org_consumer_${++seq}`;

beforeAll(async () => {
  fake = await startFakeStripe({ secretKeys: [TENANT_A, TENANT_B] });
  stripe = createStripeClient({ secretKey: TENANT_A, apiBase: fake.url });
  catalog = await ensurePlanCatalog(stripe, {
    tenantOrgId: 'org_a',
    planId: 'plan_pro',
    planName: 'Pro',
    currency: 'eur',
    flatFeeMinor: 4900n,
    usage: { meterEventName: 'portcullis.calls.pro', unitAmountDecimal: '0.2' },
  });
});
afterAll(() => fake.close());

const prices = () => [catalog.flatPriceId!, catalog.usagePriceId!];

describe('ensureCustomer', () => {
  it('creates one customer per consumer org, tagged with both org ids', async () => {
    const consumerOrgId = consumer();
    const first = await ensureCustomer(stripe, {
      tenantOrgId: 'org_a',
      consumerOrgId,
      name: 'Acme',
      email: 'billing@acme.test',
    });
    const again = await ensureCustomer(stripe, {
      tenantOrgId: 'org_a',
      consumerOrgId,
      name: 'Acme',
      email: 'billing@acme.test',
    });
    expect(first.created).toBe(true);
    expect(again.customerId).toBe(first.customerId);
    expect(fake.state.customers.get(first.customerId)).toMatchObject({
      name: 'Acme',
      email: 'billing@acme.test',
      metadata: { portcullis_tenant_org_id: 'org_a', portcullis_consumer_org_id: consumerOrgId },
    });
  });

  it('reuses a recorded customer and keeps its name and email current', async () => {
    const consumerOrgId = consumer();
    const { customerId } = await ensureCustomer(stripe, { tenantOrgId: 'org_a', consumerOrgId, name: 'Old' });
    const creationsBefore = fake.state.requestsTo('POST', '/v1/customers').length;
    const result = await ensureCustomer(stripe, {
      tenantOrgId: 'org_a',
      consumerOrgId,
      name: 'New',
      email: 'new@x.test',
      existingId: customerId,
    });
    expect(result).toEqual({ customerId, created: false });
    expect(fake.state.customers.get(customerId)).toMatchObject({ name: 'New', email: 'new@x.test' });
    expect(fake.state.requestsTo('POST', '/v1/customers').length).toBe(creationsBefore);
  });

  it('replaces a recorded customer that was deleted in Stripe', async () => {
    const consumerOrgId = consumer();
    const { customerId } = await ensureCustomer(stripe, {
      tenantOrgId: 'org_a',
      consumerOrgId,
      name: 'Gone',
    });
    await stripe.customers.del(customerId);
    const result = await ensureCustomer(stripe, {
      tenantOrgId: 'org_a',
      consumerOrgId,
      name: 'Gone',
      existingId: customerId,
    });
    expect(result.created).toBe(true);
    expect(result.customerId).not.toBe(customerId);
  });

  it('cannot see another tenant’s customers: a foreign id is treated as missing', async () => {
    const { customerId } = await ensureCustomer(stripe, {
      tenantOrgId: 'org_a',
      consumerOrgId: consumer(),
      name: 'A',
    });
    const tenantB = createStripeClient({ secretKey: TENANT_B, apiBase: fake.url });
    await expect(tenantB.customers.retrieve(customerId)).rejects.toMatchObject({
      code: 'resource_missing',
      statusCode: 404,
    });
    const inB = await ensureCustomer(tenantB, {
      tenantOrgId: 'org_b',
      consumerOrgId: 'org_x',
      name: 'A',
      existingId: customerId,
    });
    expect(inB.customerId).not.toBe(customerId);
  });

  it('is refused with Stripe’s 401 for an unknown key', async () => {
    const stranger = createStripeClient({ secretKey: 'sk_test_unknownkey00000000', apiBase: fake.url });
    const failure = ensureCustomer(stranger, { tenantOrgId: 'org_a', consumerOrgId: consumer(), name: 'X' });
    await expect(failure).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    await expect(failure).rejects.toMatchObject({
      statusCode: 401,
      message: expect.stringMatching(/^Invalid API Key provided: sk_test_\*+0000$/),
    });
  });
});

describe('ensureSubscription', () => {
  it('starts a trial on the plan’s prices, the flat one with quantity 1 and the metered one without', async () => {
    const { customerId } = await ensureCustomer(stripe, {
      tenantOrgId: 'org_a',
      consumerOrgId: consumer(),
      name: 'T',
    });
    const result = await ensureSubscription(stripe, {
      customerId,
      priceIds: prices(),
      trialDays: 14,
      metadata: { portcullis_subscription_id: 's1' },
    });
    expect(result).toMatchObject({ status: 'trialing', created: true });
    const stored = fake.state.subscriptions.get(result.subscriptionId)!;
    const items = (stored.items as { data: Array<{ price: { id: string }; quantity?: number }> }).data;
    expect(items.map((item) => [item.price.id, item.quantity])).toEqual([
      [catalog.flatPriceId, 1],
      [catalog.usagePriceId, undefined],
    ]);
    expect(Object.keys(result.itemIds).sort()).toEqual([...prices()].sort());
    expect(stored.metadata).toEqual({ portcullis_subscription_id: 's1' });
  });

  it('is incomplete without a payment method and active once a setup session attached one', async () => {
    const { customerId } = await ensureCustomer(stripe, {
      tenantOrgId: 'org_a',
      consumerOrgId: consumer(),
      name: 'P',
    });
    const unpaid = await ensureSubscription(stripe, { customerId, priceIds: prices() });
    expect(unpaid.status).toBe('incomplete');

    const session = await createPaymentMethodSetupSession(stripe, {
      customerId,
      currency: 'EUR',
      successUrl: 'https://portal.test/billing?ok=1',
      cancelUrl: 'https://portal.test/billing',
    });
    expect(session.url).toMatch(new RegExp(`^${fake.url}/c/pay/cs_test_`));
    expect(fake.state.checkoutSessions.get(session.sessionId)).toMatchObject({
      mode: 'setup',
      currency: 'eur',
      customer: customerId,
    });

    // The browser finishes Checkout; Stripe then delivers setup_intent.succeeded to the webhook.
    const completion = fake.state.completeSetupSession(session.sessionId);
    const event = buildStripeEvent('setup_intent.succeeded', completion.setupIntent);
    const delivery = signStripeWebhook(stripe, event, WEBHOOK_SECRET);
    const verified = verifyStripeWebhook(stripe, delivery.payload, delivery.header, WEBHOOK_SECRET);
    if (!verified.ok) throw new Error(verified.reason);
    const interpreted = interpretStripeEvent(verified.event);
    if (interpreted.kind !== 'payment_method_attached' || !interpreted.paymentMethodId)
      throw new Error(interpreted.kind);
    expect(interpreted.customerId).toBe(customerId);
    await setCustomerDefaultPaymentMethod(stripe, {
      customerId,
      paymentMethodId: interpreted.paymentMethodId,
    });

    // An incomplete subscription is kept (its first invoice can still be paid) until Stripe expires it.
    const kept = await ensureSubscription(stripe, {
      customerId,
      priceIds: prices(),
      existingId: unpaid.subscriptionId,
    });
    expect(kept).toMatchObject({ subscriptionId: unpaid.subscriptionId, created: false });
    fake.state.setSubscriptionStatus(unpaid.subscriptionId, 'incomplete_expired');
    const paid = await ensureSubscription(stripe, {
      customerId,
      priceIds: prices(),
      existingId: unpaid.subscriptionId,
    });
    expect(paid).toMatchObject({ status: 'active', created: true });
    expect(paid.subscriptionId).not.toBe(unpaid.subscriptionId);
  });

  it('refuses to make a payment method default that the customer does not own', async () => {
    const { customerId } = await ensureCustomer(stripe, {
      tenantOrgId: 'org_a',
      consumerOrgId: consumer(),
      name: 'Q',
    });
    await expect(
      setCustomerDefaultPaymentMethod(stripe, { customerId, paymentMethodId: 'pm_not_theirs' }),
    ).rejects.toMatchObject({
      statusCode: 400,
      param: 'invoice_settings[default_payment_method]',
    });
  });

  it('reuses a live subscription untouched, and swaps items when the plan’s prices change', async () => {
    const { customerId } = await ensureCustomer(stripe, {
      tenantOrgId: 'org_a',
      consumerOrgId: consumer(),
      name: 'R',
    });
    const first = await ensureSubscription(stripe, { customerId, priceIds: prices(), trialDays: 7 });
    const postsBefore = fake.state.requestsTo('POST', /^\/v1\/subscriptions/).length;
    const same = await ensureSubscription(stripe, {
      customerId,
      priceIds: prices(),
      trialDays: 7,
      existingId: first.subscriptionId,
    });
    expect(same).toEqual({ ...first, created: false });
    expect(fake.state.requestsTo('POST', /^\/v1\/subscriptions/).length).toBe(postsBefore);

    const repriced = await ensurePlanCatalog(stripe, {
      tenantOrgId: 'org_a',
      planId: 'plan_pro_r',
      planName: 'Pro',
      currency: 'eur',
      flatFeeMinor: 5900n,
    });
    const swapped = await ensureSubscription(stripe, {
      customerId,
      priceIds: [repriced.flatPriceId!, catalog.usagePriceId!],
      existingId: first.subscriptionId,
    });
    expect(swapped.subscriptionId).toBe(first.subscriptionId);
    expect(Object.keys(swapped.itemIds).sort()).toEqual([repriced.flatPriceId, catalog.usagePriceId].sort());
    expect(swapped.itemIds[catalog.usagePriceId!]).toBe(first.itemIds[catalog.usagePriceId!]);
    const update = fake.state.requestsTo('POST', `/v1/subscriptions/${first.subscriptionId}`).at(-1)!;
    expect(update.params.proration_behavior).toBe('none');
  });

  it('creates a new subscription when the recorded one was canceled', async () => {
    const { customerId } = await ensureCustomer(stripe, {
      tenantOrgId: 'org_a',
      consumerOrgId: consumer(),
      name: 'C',
    });
    const first = await ensureSubscription(stripe, { customerId, priceIds: prices(), trialDays: 3 });
    fake.state.setSubscriptionStatus(first.subscriptionId, 'canceled');
    const next = await ensureSubscription(stripe, {
      customerId,
      priceIds: prices(),
      trialDays: 3,
      existingId: first.subscriptionId,
    });
    expect(next.created).toBe(true);
    expect(next.subscriptionId).not.toBe(first.subscriptionId);
  });
});

describe('sessions', () => {
  it('links to the customer portal', async () => {
    const { customerId } = await ensureCustomer(stripe, {
      tenantOrgId: 'org_a',
      consumerOrgId: consumer(),
      name: 'L',
    });
    const link = await createCustomerPortalLink(stripe, {
      customerId,
      returnUrl: 'https://portal.test/billing',
    });
    expect(link.url).toMatch(/^https:\/\/billing\.stripe\.com\/p\/session\/test_/);
    expect(fake.state.portalSessions.get(link.sessionId)).toMatchObject({
      customer: customerId,
      return_url: 'https://portal.test/billing',
    });
  });

  it('surfaces Stripe’s refusal when the account never saved portal settings, unless a configuration is named', async () => {
    const { customerId } = await ensureCustomer(stripe, {
      tenantOrgId: 'org_a',
      consumerOrgId: consumer(),
      name: 'M',
    });
    fake.state.portalConfigured = false;
    try {
      await expect(
        createCustomerPortalLink(stripe, { customerId, returnUrl: 'https://portal.test' }),
      ).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      const link = await createCustomerPortalLink(stripe, {
        customerId,
        returnUrl: 'https://portal.test',
        configurationId: 'bpc_custom',
      });
      expect(link.url).toContain('billing.stripe.com');
    } finally {
      fake.state.portalConfigured = true;
    }
  });

  it('refuses a setup session for an unknown customer with resource_missing', async () => {
    await expect(
      createPaymentMethodSetupSession(stripe, {
        customerId: 'cus_nobody',
        currency: 'eur',
        successUrl: 'https://a.test',
        cancelUrl: 'https://a.test',
      }),
    ).rejects.toMatchObject({ code: 'resource_missing', param: 'customer' });
  });
});

describe('the wire', () => {
  it('sends the pinned Stripe-Version, bracket-encoded params and no telemetry header', async () => {
    await ensureCustomer(stripe, { tenantOrgId: 'org_a', consumerOrgId: consumer(), name: 'W' });
    await ensureCustomer(stripe, { tenantOrgId: 'org_a', consumerOrgId: consumer(), name: 'W2' });
    const last = fake.state.requestsTo('POST', '/v1/customers').at(-1)!;
    expect(last.stripeVersion).toBe(STRIPE_API_VERSION);
    expect(last.headers['x-stripe-client-telemetry']).toBeUndefined();
    expect(last.params.metadata).toMatchObject({ portcullis_tenant_org_id: 'org_a' });
    expect(last.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('answers without a key, or with a curl-style Basic key, the way Stripe does', async () => {
    const anonymous = await fetch(`${fake.url}/v1/customers/cus_x`);
    expect(anonymous.status).toBe(401);
    const body = (await anonymous.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/^You did not provide an API key/);

    const basic = await fetch(`${fake.url}/v1/customers`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${TENANT_A}:`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'name=Curl&metadata[source]=curl',
    });
    expect(basic.status).toBe(200);
    expect(await basic.json()).toMatchObject({
      object: 'customer',
      name: 'Curl',
      metadata: { source: 'curl' },
    });
  });

  it('answers an unknown URL with Stripe’s 404', async () => {
    await expect(stripe.rawRequest('GET', '/v1/nothing_here', {})).rejects.toMatchObject({
      statusCode: 404,
      message: expect.stringMatching(/^Unrecognized request URL \(GET: \/v1\/nothing_here\)/),
    });
  });

  it('answers a reused idempotency key with different parameters with Stripe’s idempotency error', async () => {
    await stripe.customers.create({ name: 'one' }, { idempotencyKey: 'reuse-test' });
    await expect(
      stripe.customers.create({ name: 'two' }, { idempotencyKey: 'reuse-test' }),
    ).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });

  it('refuses parameters the real endpoint does not know', async () => {
    await expect(
      stripe.customers.create({ name: 'x', nonsense: 'y' } as Stripe.CustomerCreateParams),
    ).rejects.toMatchObject({ code: 'parameter_unknown', param: 'nonsense', statusCode: 400 });
  });
});
