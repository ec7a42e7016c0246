import { DomainError } from '@portcullis/core/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedProviderWithApi } from '../../../../test/fixtures.ts';
import { billingPortalLink, paymentSetupLink, stripeBillingForConsumer } from './sessions.ts';
import {
  connectedProvider,
  consumerOf,
  encryptionKey,
  type FakeStripe,
  startFakeStripe,
  testDb,
} from './test/world.ts';

const db = testDb();
let fake: FakeStripe;
beforeAll(async () => {
  fake = await startFakeStripe();
});
afterAll(() => fake.close());

const access = () => ({ encryptionKey, apiBase: fake.url });
const urls = { successUrl: 'https://portal.test/billing?ok=1', cancelUrl: 'https://portal.test/billing' };

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe('consumer billing links', () => {
  it('opens a setup-mode Checkout for the consumer, creating its Stripe customer on first use', async () => {
    const world = await connectedProvider(fake, {
      pricing: { model: 'flat', currency: 'eur', flatFee: '20.00' },
    });
    const consumer = await consumerOf(world.plan.id, 'PENDING');
    const ctx = { db, actor: { id: consumer.dev.id }, org: { id: consumer.org.id } };
    const { url } = await paymentSetupLink(ctx, { providerOrgId: world.org.id, ...urls }, access());
    const sessionId = url.split('/').pop()!;
    const session = fake.state.checkoutSessions.get(sessionId);
    const customer = await db.stripeCustomer.findFirstOrThrow({
      where: { providerOrgId: world.org.id, customerOrgId: consumer.org.id },
    });
    expect(session).toMatchObject({
      mode: 'setup',
      currency: 'eur',
      customer: customer.stripeCustomerId,
      success_url: urls.successUrl,
      metadata: { portcullis_provider_org_id: world.org.id, portcullis_consumer_org_id: consumer.org.id },
    });
    expect(fake.state.ownerOf.get(customer.stripeCustomerId)).toBe(fake.state.accounts.get(world.secretKey));

    // The same customer is reused for the portal link.
    const portal = await billingPortalLink(
      ctx,
      { providerOrgId: world.org.id, returnUrl: urls.cancelUrl },
      access(),
    );
    expect(portal.url).toMatch(/^https:\/\/billing\.stripe\.com\//);
    expect([...fake.state.portalSessions.values()].at(-1)).toMatchObject({
      customer: customer.stripeCustomerId,
    });
    expect(await db.stripeCustomer.count({ where: { providerOrgId: world.org.id } })).toBe(1);

    expect(await stripeBillingForConsumer(ctx)).toEqual([
      {
        providerOrgId: world.org.id,
        providerName: world.org.name,
        hasPaymentMethod: false,
        delinquentSince: null,
      },
    ]);
  });

  it('NOT_FOUND without a subscription to that provider, or when the provider has no Stripe', async () => {
    const world = await connectedProvider(fake);
    const stranger = await consumerOf(
      (await seedProviderWithApi(db, { upstreamUrl: 'http://127.0.0.1:9/' })).plan.id,
    );
    const strangerCtx = { db, actor: { id: stranger.dev.id }, org: { id: stranger.org.id } };
    expect(
      (await rejection(paymentSetupLink(strangerCtx, { providerOrgId: world.org.id, ...urls }, access())))
        .code,
    ).toBe('NOT_FOUND');
    expect(
      (
        await rejection(
          billingPortalLink(
            strangerCtx,
            { providerOrgId: world.org.id, returnUrl: urls.cancelUrl },
            access(),
          ),
        )
      ).code,
    ).toBe('NOT_FOUND');
    // Subscribed, but to a provider that never connected Stripe.
    const unconnected = await db.subscription.findUniqueOrThrow({
      where: { id: stranger.subscription.id },
      select: { plan: { select: { api: { select: { orgId: true } } } } },
    });
    expect(
      (
        await rejection(
          paymentSetupLink(strangerCtx, { providerOrgId: unconnected.plan.api.orgId, ...urls }, access()),
        )
      ).code,
    ).toBe('NOT_FOUND');
    expect(await stripeBillingForConsumer(strangerCtx)).toEqual([]);
    // Nothing was created for the stranger anywhere.
    const strangerCustomers = [...fake.state.customers.values()].filter(
      (c) => (c.metadata as Record<string, string>).portcullis_consumer_org_id === stranger.org.id,
    );
    expect(strangerCustomers).toEqual([]);
    expect(await db.stripeCustomer.count({ where: { customerOrgId: stranger.org.id } })).toBe(0);
  });

  it('surfaces Stripe refusals as BAD_REQUEST and refuses non-http return URLs', async () => {
    const world = await connectedProvider(fake);
    const consumer = await consumerOf(world.plan.id);
    const ctx = { db, actor: { id: consumer.dev.id }, org: { id: consumer.org.id } };
    fake.state.portalConfigured = false;
    try {
      const refused = await rejection(
        billingPortalLink(ctx, { providerOrgId: world.org.id, returnUrl: urls.cancelUrl }, access()),
      );
      expect(refused.code).toBe('BAD_REQUEST');
      expect(refused.message).toMatch(/^Stripe refused: .*configuration/);
    } finally {
      fake.state.portalConfigured = true;
    }
    await expect(
      paymentSetupLink(
        ctx,
        { providerOrgId: world.org.id, successUrl: 'javascript:alert(1)', cancelUrl: urls.cancelUrl },
        access(),
      ),
    ).rejects.toThrow();
  });
});
