import { isEncryptedSecret } from '@portcullis/core/crypto';
import { DomainError } from '@portcullis/core/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedProviderWithApi } from '../../../../test/fixtures.ts';
import { connectStripe, disconnectStripe, stripeStatus } from './connect.ts';
import { openStripeSecret } from './credentials.ts';
import { PAYMENT_FAILED_REASON } from './suspension.ts';
import { syncStripe } from './sync.ts';
import {
  connectedProvider,
  consumerOf,
  encryptionKey,
  type FakeStripe,
  startFakeStripe,
  stripeKey,
  testDb,
  webhookSecretFor,
} from './test/world.ts';

const db = testDb();
let fake: FakeStripe;
beforeAll(async () => {
  fake = await startFakeStripe();
});
afterAll(() => fake.close());

async function provider() {
  const seeded = await seedProviderWithApi(db, { upstreamUrl: 'http://127.0.0.1:9/' });
  const ctx = { db, actor: { id: seeded.owner.id }, org: { id: seeded.org.id } };
  return { ...seeded, ctx };
}

/** connectStripe against the fake, which knows the keys `fake.state.addAccount` registered. */
const connect = (ctx: Parameters<typeof connectStripe>[0], input: Parameters<typeof connectStripe>[1]) =>
  connectStripe(ctx, input, encryptionKey, { apiBase: fake.url });

async function domainError(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe('connectStripe', () => {
  it('stores both secrets encrypted, shows back only the last 4 characters, and audits without secrets', async () => {
    const { ctx, org } = await provider();
    const secretKey = stripeKey('conn');
    fake.state.addAccount(secretKey);
    const webhookSecret = webhookSecretFor();
    const result = await connect(ctx, { secretKey, webhookSecret, graceDays: 5 });
    expect(result).toEqual({
      last4: secretKey.slice(-4),
      livemode: false,
      graceDays: 5,
      webhookPath: `/api/stripe/webhook/${org.id}`,
    });

    const row = await db.stripeAccount.findUniqueOrThrow({ where: { orgId: org.id } });
    for (const [column, secret] of [
      [row.secretKeyEnc, secretKey],
      [row.webhookSecretEnc, webhookSecret],
    ] as const) {
      expect(isEncryptedSecret(column)).toBe(true);
      expect(column).not.toContain(secret);
      expect(column).not.toContain(secret.slice(8));
    }
    expect(openStripeSecret(org.id, 'secretKey', row.secretKeyEnc, encryptionKey)).toBe(secretKey);
    // Bound to the org and the field: the same ciphertext read as another org's or field's fails.
    expect(() => openStripeSecret('other-org', 'secretKey', row.secretKeyEnc, encryptionKey)).toThrow();
    expect(() => openStripeSecret(org.id, 'webhookSecret', row.secretKeyEnc, encryptionKey)).toThrow();

    const status = await stripeStatus(ctx);
    const audit = await db.auditLog.findMany({ where: { orgId: org.id, targetType: 'StripeAccount' } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'stripe.connect', actorId: ctx.actor.id });
    for (const shown of [result, status, audit]) {
      const text = JSON.stringify(shown);
      expect(text).not.toContain(secretKey);
      expect(text).not.toContain(webhookSecret);
      expect(text).not.toContain(secretKey.slice(0, -4));
    }
    expect(status).toMatchObject({
      connected: true,
      last4: secretKey.slice(-4),
      livemode: false,
      graceDays: 5,
      customers: 0,
      delinquentCustomers: 0,
      unsentUsagePushes: 0,
    });
  });

  it('recognises live keys and restricted keys', async () => {
    const { ctx } = await provider();
    fake.state.addRestrictedKey('rk_live_abcdefgh12345678', ['rak_billing_meter_read']);
    const live = await connect(ctx, {
      secretKey: 'rk_live_abcdefgh12345678',
      webhookSecret: webhookSecretFor(),
      graceDays: 0,
    });
    expect(live).toMatchObject({ livemode: true, graceDays: 0, last4: '5678' });
  });

  it('refuses malformed credentials field by field, never echoing them, and stores nothing', async () => {
    const { ctx, org } = await provider();
    const error = await domainError(
      connect(ctx, {
        secretKey: 'pk_test_publishable123456',
        webhookSecret: 'secret-without-prefix',
        graceDays: 99,
      }),
    );
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.fields).toEqual({
      secretKey: expect.stringMatching(/publishable key/),
      webhookSecret: expect.stringMatching(/whsec_/),
      graceDays: expect.stringMatching(/Between 0 and 60/),
    });
    expect(JSON.stringify(error.fields)).not.toContain('pk_test_publishable123456');
    const other = await domainError(
      connect(ctx, { secretKey: 'sk_prod_123456789', webhookSecret: 'whsec_x' }),
    );
    expect(Object.keys(other.fields ?? {}).sort()).toEqual(['secretKey', 'webhookSecret']);
    expect(await db.stripeAccount.findUnique({ where: { orgId: org.id } })).toBeNull();
    expect(await stripeStatus(ctx)).toEqual({
      connected: false,
      webhookPath: `/api/stripe/webhook/${ctx.org.id}`,
    });
  });

  it('replacing the key keeps the account and makes the next sync re-verify the plan catalogs', async () => {
    const world = await connectedProvider(fake);
    await consumerOf(world.plan.id);
    const ctx = { db, actor: { id: world.owner.id }, org: { id: world.org.id } };
    await syncStripe(db, { now: new Date(), encryptionKey, apiBase: fake.url, orgId: world.org.id });
    expect(
      (await db.stripePlanPrice.findUniqueOrThrow({ where: { planId: world.plan.id } })).pricingHash,
    ).not.toBe('');

    const before = await db.stripeAccount.findUniqueOrThrow({ where: { orgId: world.org.id } });
    await connect(ctx, { secretKey: world.secretKey, webhookSecret: world.webhookSecret, graceDays: 7 });
    expect(
      (await db.stripePlanPrice.findUniqueOrThrow({ where: { planId: world.plan.id } })).pricingHash,
    ).not.toBe('');

    const rotated = stripeKey('rotated');
    fake.state.addAccount(rotated);
    const result = await connect(ctx, {
      secretKey: rotated,
      webhookSecret: world.webhookSecret,
      graceDays: 7,
    });
    expect(result.last4).toBe(rotated.slice(-4));
    const after = await db.stripeAccount.findUniqueOrThrow({ where: { orgId: world.org.id } });
    expect(after.connectedAt).toEqual(before.connectedAt);
    expect(
      (await db.stripePlanPrice.findUniqueOrThrow({ where: { planId: world.plan.id } })).pricingHash,
    ).toBe('');
    const updates = await db.auditLog.findMany({ where: { orgId: world.org.id, action: 'stripe.update' } });
    expect(updates.map((a) => a.before)).toHaveLength(2);
    expect(updates.map((a) => a.before)).toEqual(
      expect.arrayContaining([
        { last4: world.secretKey.slice(-4), livemode: false, graceDays: 3 },
        { last4: world.secretKey.slice(-4), livemode: false, graceDays: 7 },
      ]),
    );

    // The rotated key is another (fake) account: the next sync recreates what that account lacks.
    const summary = await syncStripe(db, {
      now: new Date(),
      encryptionKey,
      apiBase: fake.url,
      orgId: world.org.id,
    });
    expect(summary.errors).toEqual([]);
    expect(summary).toMatchObject({ catalogsEnsured: 1, customersCreated: 1, stripeSubscriptionsCreated: 1 });
    const plan = await db.stripePlanPrice.findUniqueOrThrow({ where: { planId: world.plan.id } });
    const rotatedAccount = fake.state.accounts.get(rotated);
    expect(fake.state.ownerOf.get(plan.productId)).toBe(rotatedAccount);
  });
});

describe('connectStripe asks Stripe before storing the key', () => {
  async function expectNothingStored(ctx: { org: { id: string } }) {
    expect(await db.stripeAccount.findUnique({ where: { orgId: ctx.org.id } })).toBeNull();
    expect(await db.auditLog.count({ where: { orgId: ctx.org.id, targetType: 'StripeAccount' } })).toBe(0);
  }

  it('refuses a well-formed key Stripe does not know (401) on the key field, without echoing it', async () => {
    const { ctx } = await provider();
    const unknown = stripeKey('unknown');
    const error = await domainError(connect(ctx, { secretKey: unknown, webhookSecret: webhookSecretFor() }));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.fields).toEqual({ secretKey: expect.stringMatching(/^Stripe does not accept this key/) });
    expect(JSON.stringify([error.message, error.fields])).not.toContain(unknown.slice(-8));
    expect(fake.state.requestsTo('GET', '/v1/billing/meters').at(-1)).toMatchObject({ status: 401 });
    await expectNothingStored(ctx);
  });

  it('refuses a restricted key lacking a permission the sync needs (403), naming the permission', async () => {
    const { ctx } = await provider();
    const restricted = `rk_test_${stripeKey('rk').slice(8)}`;
    fake.state.addRestrictedKey(restricted, ['rak_customer_write', 'rak_product_write']);
    const error = await domainError(
      connect(ctx, { secretKey: restricted, webhookSecret: webhookSecretFor() }),
    );
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.fields?.secretKey).toMatch(
      /^This restricted key lacks permissions Portcullis needs \(Stripe asks for rak_billing_meter_read\): give it write access to/,
    );
    expect(JSON.stringify(error.fields)).not.toContain(restricted.slice(-6));
    await expectNothingStored(ctx);
    // Given the permission, the same key connects.
    fake.state.restrictedKeys.get(restricted)?.add('rak_billing_meter_write');
    expect(await connect(ctx, { secretKey: restricted, webhookSecret: webhookSecretFor() })).toMatchObject({
      last4: restricted.slice(-4),
    });
  });

  it('answers UNAVAILABLE, storing nothing, when Stripe cannot be reached or keeps failing', async () => {
    const { ctx } = await provider();
    const secretKey = stripeKey('down');
    fake.state.addAccount(secretKey);
    // Nothing listens on port 9 of the loopback address: connection refused.
    const refused = await domainError(
      connectStripe(ctx, { secretKey, webhookSecret: webhookSecretFor() }, encryptionKey, {
        apiBase: 'http://127.0.0.1:9',
      }),
    );
    expect(refused.code).toBe('UNAVAILABLE');
    expect(refused.message).toBe(
      'Stripe could not be reached to check the key, so nothing was saved: try again in a minute',
    );
    // Stripe answering 500 on the first try and on the retry.
    fake.state.injectFailures({ method: 'GET', path: '/v1/billing/meters', count: 2, kind: 'http_500' });
    const failing = await domainError(connect(ctx, { secretKey, webhookSecret: webhookSecretFor() }));
    expect(failing.code).toBe('UNAVAILABLE');
    await expectNothingStored(ctx);
  });
});

describe('disconnectStripe', () => {
  it('forgets the credentials, lifts payment suspensions and clears delinquency, leaving manual ones', async () => {
    const world = await connectedProvider(fake);
    const ctx = { db, actor: { id: world.owner.id }, org: { id: world.org.id } };
    const unpaid = await consumerOf(world.plan.id, 'SUSPENDED');
    await db.subscription.update({
      where: { id: unpaid.subscription.id },
      data: { suspendedReason: PAYMENT_FAILED_REASON },
    });
    const manual = await consumerOf(world.plan.id, 'SUSPENDED');
    await db.subscription.update({
      where: { id: manual.subscription.id },
      data: { suspendedReason: 'manual' },
    });
    await db.stripeCustomer.create({
      data: {
        providerOrgId: world.org.id,
        customerOrgId: unpaid.org.id,
        stripeCustomerId: 'cus_unpaid',
        delinquentSince: new Date(),
      },
    });

    expect(await disconnectStripe(ctx)).toEqual({ resumedSubscriptions: 1 });
    expect(await stripeStatus(ctx)).toEqual({
      connected: false,
      webhookPath: `/api/stripe/webhook/${ctx.org.id}`,
    });
    expect(await db.subscription.findUniqueOrThrow({ where: { id: unpaid.subscription.id } })).toMatchObject({
      status: 'ACTIVE',
      suspendedReason: null,
    });
    expect(await db.subscription.findUniqueOrThrow({ where: { id: manual.subscription.id } })).toMatchObject({
      status: 'SUSPENDED',
      suspendedReason: 'manual',
    });
    expect(
      await db.stripeCustomer.findFirstOrThrow({
        where: { providerOrgId: world.org.id, customerOrgId: unpaid.org.id },
      }),
    ).toMatchObject({ delinquentSince: null });
    expect(
      await db.auditLog.findFirst({ where: { orgId: world.org.id, action: 'stripe.disconnect' } }),
    ).toMatchObject({ actorId: world.owner.id, after: { resumedSubscriptions: 1 } });
    expect((await domainError(disconnectStripe(ctx))).code).toBe('NOT_FOUND');
  });
});
