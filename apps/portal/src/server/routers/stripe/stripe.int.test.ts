import { generateEncryptionKey } from '@portcullis/core/crypto';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeStripe, startFakeStripe } from '../../../../../../test/fakes/stripe/server';
import {
  buildStripeEvent,
  fakeInvoice,
  signStripeWebhook,
} from '../../../../../../test/fakes/stripe/webhook';
import { POST as webhookPost } from '../../../app/api/stripe/webhook/[orgId]/route';
import { env } from '../../../env';
import { addMember, db, expectTrpcError, member, providerWithPlan, uniq } from '../../test/harness';
import { httpMutation } from '../../test/http';
import { createCallerFactory, createTrpcContext, router } from '../../trpc';
import { stripeRouter } from '.';

// root.ts is not this file's to edit: the procedures are mounted on a router of their own here.
const testRouter = router({ stripe: stripeRouter });
const caller = (userId: string | null) => createCallerFactory(testRouter)(createTrpcContext({ db, userId }));

let fake: FakeStripe;
const keys = Array.from({ length: 12 }, (_, i) => `sk_test_router${i}${uniq('k').replace('-', '')}`);
let nextKey = 0;
const configuredBase = env.STRIPE_API_BASE;
beforeAll(async () => {
  fake = await startFakeStripe({ secretKeys: keys });
  env.STRIPE_API_BASE = fake.url;
});
afterAll(async () => {
  env.STRIPE_API_BASE = configuredBase;
  await fake.close();
});

const credentials = () => ({
  secretKey: keys[nextKey++]!,
  webhookSecret: `whsec_${generateEncryptionKey().replace(/[^A-Za-z0-9]/g, '')}`,
  graceDays: 2,
});

/** A provider with a plan that bills per request and a consumer subscribed to it. */
async function billedWorld() {
  const provider = await providerWithPlan({ requiresApproval: false });
  await db.plan.update({
    where: { id: provider.plan.id },
    data: { pricing: { model: 'per_unit', currency: 'usd', flatFee: '5', unitPrice: '0.01' } },
  });
  const consumer = await member('OWNER', 'cons');
  const app = await db.app.create({ data: { orgId: consumer.org.id, name: uniq('app') } });
  await db.subscription.create({ data: { appId: app.id, planId: provider.plan.id, status: 'ACTIVE' } });
  return { provider, consumer };
}

describe('stripe router: provider settings', () => {
  it('OWNER and ADMIN connect; the secrets never come back; members read the status', async () => {
    const { provider } = await billedWorld();
    const input = credentials();
    const connected = await caller(provider.user.id).stripe.connect({ orgSlug: provider.org.slug, ...input });
    expect(connected).toEqual({
      last4: input.secretKey.slice(-4),
      livemode: false,
      graceDays: 2,
      webhookPath: `/api/stripe/webhook/${provider.org.id}`,
    });
    const admin = await addMember(provider.org.id, 'ADMIN');
    const replaced = credentials();
    await caller(admin.user.id).stripe.connect({ orgSlug: provider.org.slug, ...replaced });

    const viewer = await addMember(provider.org.id, 'VIEWER');
    const status = await caller(viewer.user.id).stripe.status({ orgSlug: provider.org.slug });
    expect(status).toMatchObject({ connected: true, last4: replaced.secretKey.slice(-4), graceDays: 2 });
    const row = await db.stripeAccount.findUniqueOrThrow({ where: { orgId: provider.org.id } });
    for (const text of [
      JSON.stringify(status),
      JSON.stringify(connected),
      row.secretKeyEnc,
      row.webhookSecretEnc,
    ]) {
      for (const secret of [
        input.secretKey,
        input.webhookSecret,
        replaced.secretKey,
        replaced.webhookSecret,
      ]) {
        expect(text).not.toContain(secret);
      }
    }
  });

  it('DEVELOPER and VIEWER cannot connect or disconnect; other tenants get NOT_FOUND', async () => {
    const { provider } = await billedWorld();
    const orgSlug = provider.org.slug;
    for (const role of ['DEVELOPER', 'VIEWER'] as const) {
      const user = await addMember(provider.org.id, role);
      await expectTrpcError(caller(user.user.id).stripe.connect({ orgSlug, ...credentials() }), 'FORBIDDEN');
      await expectTrpcError(caller(user.user.id).stripe.disconnect({ orgSlug }), 'FORBIDDEN');
    }
    const outsider = await member('OWNER', 'outsider');
    await expectTrpcError(
      caller(outsider.user.id).stripe.connect({ orgSlug, ...credentials() }),
      'NOT_FOUND',
    );
    await expectTrpcError(caller(outsider.user.id).stripe.status({ orgSlug }), 'NOT_FOUND');
    await expectTrpcError(caller(outsider.user.id).stripe.disconnect({ orgSlug }), 'NOT_FOUND');
    await expectTrpcError(caller(null).stripe.status({ orgSlug }), 'UNAUTHORIZED');
    expect(await db.stripeAccount.findUnique({ where: { orgId: provider.org.id } })).toBeNull();
  });

  it('answers bad credentials with field errors that do not repeat them', async () => {
    const { provider } = await billedWorld();
    const secret = 'pk_live_publishable0123456789';
    const res = await fetchRequestHandler({
      endpoint: '/api/trpc',
      req: new Request('http://portal.test/api/trpc/stripe.connect', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          json: { orgSlug: provider.org.slug, secretKey: secret, webhookSecret: 'nope', graceDays: -1 },
        }),
      }),
      router: testRouter,
      createContext: () => createTrpcContext({ db, userId: provider.user.id, isProduction: true }),
    });
    const text = await res.text();
    expect(res.status).toBe(400);
    const fields = (JSON.parse(text) as { error: { json: { data: { fields: Record<string, string> } } } })
      .error.json.data.fields;
    expect(Object.keys(fields).sort()).toEqual(['graceDays', 'secretKey', 'webhookSecret']);
    expect(fields.secretKey).toMatch(/publishable/);
    expect(text).not.toContain(secret);
  });

  it('disconnect: ADMIN removes the connection; a second disconnect is NOT_FOUND', async () => {
    const { provider } = await billedWorld();
    await caller(provider.user.id).stripe.connect({ orgSlug: provider.org.slug, ...credentials() });
    const admin = await addMember(provider.org.id, 'ADMIN');
    expect(await caller(admin.user.id).stripe.disconnect({ orgSlug: provider.org.slug })).toEqual({
      resumedSubscriptions: 0,
    });
    expect(await caller(admin.user.id).stripe.status({ orgSlug: provider.org.slug })).toEqual({
      connected: false,
      webhookPath: `/api/stripe/webhook/${provider.org.id}`,
    });
    await expectTrpcError(
      caller(admin.user.id).stripe.disconnect({ orgSlug: provider.org.slug }),
      'NOT_FOUND',
    );
  });

  it('asks Stripe before storing a key: 400 on the key field and nothing stored when Stripe rejects it', async () => {
    const { provider } = await billedWorld();
    const orgSlug = provider.org.slug;
    const rejected = { ...credentials(), secretKey: `sk_test_neverissued${uniq('k').replace('-', '')}` };
    const refused = await httpMutation(provider.user.id, 'stripe.connect', { orgSlug, ...rejected });
    expect(refused.status).toBe(400);
    expect(refused.fields).toEqual({ secretKey: expect.stringMatching(/^Stripe does not accept this key/) });
    expect(JSON.stringify(refused)).not.toContain(rejected.secretKey.slice(-8));
    expect(await db.stripeAccount.findUnique({ where: { orgId: provider.org.id } })).toBeNull();

    const restricted = `rk_test_router${uniq('r').replace('-', '')}`;
    fake.state.addRestrictedKey(restricted, ['rak_product_write']);
    const lacking = await httpMutation(provider.user.id, 'stripe.connect', {
      orgSlug,
      ...credentials(),
      secretKey: restricted,
    });
    expect(lacking.status).toBe(400);
    expect(lacking.fields?.secretKey).toMatch(
      /lacks permissions Portcullis needs \(Stripe asks for rak_billing_meter_read\)/,
    );
    expect(await db.stripeAccount.findUnique({ where: { orgId: provider.org.id } })).toBeNull();

    const accepted = credentials();
    const stored = await httpMutation(provider.user.id, 'stripe.connect', { orgSlug, ...accepted });
    expect(stored.status).toBe(200);
    const row = await db.stripeAccount.findUniqueOrThrow({ where: { orgId: provider.org.id } });
    expect(row.secretKeyLast4).toBe(accepted.secretKey.slice(-4));
  });

  it('answers 503 saying nothing was saved when Stripe cannot be reached', async () => {
    const { provider } = await billedWorld();
    const base = env.STRIPE_API_BASE;
    env.STRIPE_API_BASE = 'http://127.0.0.1:9';
    try {
      const res = await httpMutation(provider.user.id, 'stripe.connect', {
        orgSlug: provider.org.slug,
        ...credentials(),
      });
      expect(res.status).toBe(503);
      expect(res.message).toBe(
        'Stripe could not be reached to check the key, so nothing was saved: try again in a minute',
      );
    } finally {
      env.STRIPE_API_BASE = base;
    }
    expect(await db.stripeAccount.findUnique({ where: { orgId: provider.org.id } })).toBeNull();
  });
});

describe('stripe router: consumer links', () => {
  it('DEVELOPER+ of a subscribed consumer org gets a setup link and a portal link; VIEWER cannot', async () => {
    const { provider, consumer } = await billedWorld();
    await caller(provider.user.id).stripe.connect({ orgSlug: provider.org.slug, ...credentials() });
    const developer = await addMember(consumer.org.id, 'DEVELOPER');
    const links = caller(developer.user.id).stripe;
    const setup = await links.paymentSetupLink({
      orgSlug: consumer.org.slug,
      providerOrgId: provider.org.id,
      successUrl: 'http://portal.test/done',
      cancelUrl: 'http://portal.test/back',
    });
    expect(setup.url).toMatch(new RegExp(`^${fake.url}/c/pay/cs_test_`));
    const portal = await links.billingPortalLink({
      orgSlug: consumer.org.slug,
      providerOrgId: provider.org.id,
      returnUrl: 'http://portal.test/back',
    });
    expect(portal.url).toMatch(/^https:\/\/billing\.stripe\.com\//);
    expect(await links.consumerBilling({ orgSlug: consumer.org.slug })).toEqual([
      expect.objectContaining({ providerOrgId: provider.org.id, hasPaymentMethod: false }),
    ]);

    const viewer = await addMember(consumer.org.id, 'VIEWER');
    await expectTrpcError(
      caller(viewer.user.id).stripe.billingPortalLink({
        orgSlug: consumer.org.slug,
        providerOrgId: provider.org.id,
        returnUrl: 'http://portal.test/back',
      }),
      'FORBIDDEN',
    );
    // Another consumer org (no subscription to this provider) and another org's slug.
    const other = await member('OWNER', 'other');
    await expectTrpcError(
      caller(other.user.id).stripe.billingPortalLink({
        orgSlug: other.org.slug,
        providerOrgId: provider.org.id,
        returnUrl: 'http://portal.test/back',
      }),
      'NOT_FOUND',
    );
    await expectTrpcError(
      caller(other.user.id).stripe.billingPortalLink({
        orgSlug: consumer.org.slug,
        providerOrgId: provider.org.id,
        returnUrl: 'http://portal.test/back',
      }),
      'NOT_FOUND',
    );
  });
});

describe('POST /api/stripe/webhook/[orgId]', () => {
  const post = (orgId: string, body: string, signature?: string) =>
    webhookPost(
      new Request(`http://portal.test/api/stripe/webhook/${orgId}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(signature ? { 'stripe-signature': signature } : {}),
        },
        body,
      }),
      { params: Promise.resolve({ orgId }) },
    );

  it('applies a signed event from the raw body and answers 400/404 (never 500) to bad input', async () => {
    const { provider, consumer } = await billedWorld();
    const input = credentials();
    await caller(provider.user.id).stripe.connect({ orgSlug: provider.org.slug, ...input });
    await db.stripeCustomer.create({
      data: {
        providerOrgId: provider.org.id,
        customerOrgId: consumer.org.id,
        stripeCustomerId: 'cus_route_test',
      },
    });
    const signer = new Stripe(input.secretKey);
    const event = buildStripeEvent('invoice.payment_failed', fakeInvoice({ customer: 'cus_route_test' }));
    const signed = signStripeWebhook(signer, event, input.webhookSecret);

    const ok = await post(provider.org.id, signed.payload, signed.header);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ received: true, kind: 'payment_failed', applied: true });
    const again = await post(provider.org.id, signed.payload, signed.header);
    expect(await again.json()).toEqual({ received: true, duplicate: true });

    const reformatted = JSON.stringify(JSON.parse(signed.payload));
    const cases: Array<[Response, number]> = [
      [await post(provider.org.id, reformatted, signed.header), 400],
      [await post(provider.org.id, signed.payload), 400],
      [await post(provider.org.id, 'garbage', 't=1,v1=00'), 400],
      [await post(provider.org.id, '', signed.header), 400],
      [await post(consumer.org.id, signed.payload, signed.header), 404],
      [await post('unknown', signed.payload, signed.header), 404],
      [await post('x'.repeat(500), signed.payload, signed.header), 404],
    ];
    for (const [response, status] of cases) expect(response.status).toBe(status);
    expect(
      await db.stripeCustomer.findFirstOrThrow({ where: { stripeCustomerId: 'cus_route_test' } }),
    ).toMatchObject({ delinquentSince: new Date(event.created * 1000) });
  });
});
