import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planMeterEventName } from './plan-pricing.ts';
import { type SyncStripeOptions, syncStripe } from './sync.ts';
import {
  connectedProvider,
  consumerOf,
  encryptionKey,
  type FakeStripe,
  linkedConsumer,
  startFakeStripe,
  syncOrg,
  testDb,
} from './test/world.ts';

const db = testDb();
let fake: FakeStripe;
beforeAll(async () => {
  fake = await startFakeStripe();
});
afterAll(() => fake.close());

const sync = (orgId: string, now = new Date(), extra: Partial<SyncStripeOptions> = {}) =>
  syncOrg(fake, orgId, now, extra);
const linkedWorld = () => linkedConsumer(fake);

const creations = () =>
  ['/v1/products', '/v1/prices', '/v1/billing/meters', '/v1/customers', '/v1/subscriptions'].map(
    (path) => fake.state.requestsTo('POST', path).length,
  );

describe('syncStripe: catalog, customers, subscriptions', () => {
  it('creates product, meter, prices, customer and subscription once; a second run calls Stripe not at all', async () => {
    const world = await connectedProvider(fake);
    const consumer = await consumerOf(world.plan.id);
    const pending = await consumerOf(world.plan.id, 'PENDING');
    const before = creations();
    const first = await sync(world.org.id);
    expect(first).toMatchObject({
      accounts: 1,
      catalogsEnsured: 1,
      customersCreated: 1,
      stripeSubscriptionsCreated: 1,
      subscriptionsLinked: 1,
      errors: [],
    });
    expect(creations().map((n, i) => n - before[i]!)).toEqual([1, 2, 1, 1, 1]);

    const price = await db.stripePlanPrice.findUniqueOrThrow({ where: { planId: world.plan.id } });
    expect(price).toMatchObject({ meterEventName: planMeterEventName(world.plan.id) });
    expect(fake.state.prices.get(price.flatPriceId!)).toMatchObject({
      unit_amount_decimal: '1000',
      currency: 'usd',
    });
    expect(fake.state.prices.get(price.usagePriceId!)).toMatchObject({ unit_amount_decimal: '0.2' });
    const customer = await db.stripeCustomer.findFirstOrThrow({
      where: { providerOrgId: world.org.id, customerOrgId: consumer.org.id },
    });
    expect(fake.state.customers.get(customer.stripeCustomerId)).toMatchObject({
      name: consumer.org.name,
      email: consumer.dev.email,
    });
    const linked = await db.subscription.findUniqueOrThrow({ where: { id: consumer.subscription.id } });
    const stripeSubscription = fake.state.subscriptions.get(linked.stripeSubscriptionId!)!;
    expect(stripeSubscription.customer).toBe(customer.stripeCustomerId);
    expect(
      (stripeSubscription.items as { data: Array<{ price: { id: string } }> }).data
        .map((i) => i.price.id)
        .sort(),
    ).toEqual([price.flatPriceId, price.usagePriceId].sort());
    expect(
      (await db.subscription.findUniqueOrThrow({ where: { id: pending.subscription.id } }))
        .stripeSubscriptionId,
    ).toBeNull();

    const requests = fake.state.requests.length;
    const second = await sync(world.org.id);
    expect(second).toMatchObject({
      catalogsEnsured: 0,
      customersCreated: 0,
      stripeSubscriptionsCreated: 0,
      errors: [],
    });
    expect(fake.state.requests.length).toBe(requests);

    // reconcileAll re-checks in Stripe and still creates nothing.
    const third = await sync(world.org.id, new Date(), { reconcileAll: true });
    expect(third).toMatchObject({
      stripeSubscriptionsCreated: 0,
      customersCreated: 0,
      subscriptionsLinked: 1,
    });
    expect(creations().map((n, i) => n - before[i]!)).toEqual([1, 2, 1, 1, 1]);
  });

  it('skips free plans and gives a consumer org one Stripe subscription per plan across its apps', async () => {
    const free = await connectedProvider(fake, { pricing: { model: 'free' } });
    await consumerOf(free.plan.id);
    const skipped = await sync(free.org.id);
    expect(skipped).toMatchObject({
      catalogsEnsured: 0,
      customersCreated: 0,
      skippedPlans: [{ planId: free.plan.id }],
    });

    const world = await connectedProvider(fake);
    const consumer = await consumerOf(world.plan.id);
    const secondApp = await db.app.create({ data: { orgId: consumer.org.id, name: 'second app' } });
    const sibling = await db.subscription.create({
      data: { appId: secondApp.id, planId: world.plan.id, status: 'ACTIVE' },
    });
    const summary = await sync(world.org.id);
    expect(summary).toMatchObject({
      customersCreated: 1,
      stripeSubscriptionsCreated: 1,
      subscriptionsLinked: 2,
    });
    const [a, b] = await Promise.all(
      [consumer.subscription.id, sibling.id].map((id) =>
        db.subscription.findUniqueOrThrow({ where: { id } }),
      ),
    );
    expect(a!.stripeSubscriptionId).toBeTruthy();
    expect(b!.stripeSubscriptionId).toBe(a!.stripeSubscriptionId);
  });

  it('a pricing change makes new prices, archives the old ones and moves the subscription onto them', async () => {
    const world = await linkedWorld();
    const old = await db.stripePlanPrice.findUniqueOrThrow({ where: { planId: world.plan.id } });
    await db.plan.update({
      where: { id: world.plan.id },
      data: { pricing: { model: 'per_unit', currency: 'usd', flatFee: '10.00', unitPrice: '0.005' } },
    });
    const summary = await sync(world.org.id);
    expect(summary).toMatchObject({ catalogsEnsured: 1, stripeSubscriptionsCreated: 0, errors: [] });
    const fresh = await db.stripePlanPrice.findUniqueOrThrow({ where: { planId: world.plan.id } });
    expect(fresh.flatPriceId).toBe(old.flatPriceId);
    expect(fresh.meterId).toBe(old.meterId);
    expect(fresh.usagePriceId).not.toBe(old.usagePriceId);
    expect(fresh.pricingHash).not.toBe(old.pricingHash);
    expect(fake.state.prices.get(old.usagePriceId!)).toMatchObject({ active: false });
    const linked = await db.subscription.findUniqueOrThrow({ where: { id: world.consumer.subscription.id } });
    const items = (
      fake.state.subscriptions.get(linked.stripeSubscriptionId!)!.items as {
        data: Array<{ price: { id: string } }>;
      }
    ).data.map((i) => i.price.id);
    expect(items.sort()).toEqual([fresh.flatPriceId, fresh.usagePriceId].sort());
  });

  it('reports a provider whose key Stripe refuses and still syncs the others', async () => {
    const good = await connectedProvider(fake);
    await consumerOf(good.plan.id);
    const bad = await connectedProvider(fake);
    await consumerOf(bad.plan.id);
    fake.state.accounts.delete(bad.secretKey);
    const summary = await syncStripe(db, { now: new Date(), encryptionKey, apiBase: fake.url });
    expect(summary.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ orgId: bad.org.id, step: 'catalog' })]),
    );
    expect(summary.errors.some((e) => e.orgId === good.org.id)).toBe(false);
    expect(await db.stripePlanPrice.findUnique({ where: { planId: good.plan.id } })).not.toBeNull();
    expect(JSON.stringify(summary.errors)).not.toContain(bad.secretKey);
  });
});
