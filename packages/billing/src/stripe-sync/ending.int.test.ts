import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantStripeClient } from './credentials.ts';
import { endStripeSubscriptions, type StripeSyncSummary } from './sync.ts';
import {
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

const stripeSubscriptionOf = async (subscriptionId: string) => {
  const row = await db.subscription.findUniqueOrThrow({ where: { id: subscriptionId } });
  return { row, stripe: fake.state.subscriptions.get(row.stripeSubscriptionId!)! };
};
const updatesOf = (stripeSubscriptionId: string) =>
  fake.state.requestsTo('POST', `/v1/subscriptions/${stripeSubscriptionId}`).length;

describe('syncStripe: subscriptions that stop being billed', () => {
  it('a cancelled subscription stops renewing in Stripe, once', async () => {
    const world = await linkedConsumer(fake);
    const id = world.consumer.subscription.id;
    const before = await stripeSubscriptionOf(id);
    expect(before.stripe.cancel_at_period_end).toBe(false);

    await db.subscription.update({ where: { id }, data: { status: 'CANCELLED' } });
    const summary = await syncOrg(fake, world.org.id);
    expect(summary).toMatchObject({ stripeSubscriptionsEnded: 1, errors: [] });
    const after = await stripeSubscriptionOf(id);
    // Not cancelled outright: the period already paid for runs out and its metered usage is invoiced.
    expect(after.stripe.cancel_at_period_end).toBe(true);
    expect(after.stripe.status).not.toBe('canceled');
    expect(after.row.stripeEndedAt).not.toBeNull();

    const updates = updatesOf(after.row.stripeSubscriptionId!);
    const again = await syncOrg(fake, world.org.id);
    expect(again).toMatchObject({ stripeSubscriptionsEnded: 0, errors: [] });
    expect(updatesOf(after.row.stripeSubscriptionId!)).toBe(updates);
  });

  it('a retired API stops renewing its subscriptions in Stripe', async () => {
    const world = await linkedConsumer(fake);
    await db.api.update({ where: { id: world.api.id }, data: { status: 'RETIRED', sunsetAt: new Date() } });
    const summary = await syncOrg(fake, world.org.id);
    expect(summary).toMatchObject({ stripeSubscriptionsEnded: 1, errors: [] });
    const after = await stripeSubscriptionOf(world.consumer.subscription.id);
    expect(after.stripe.cancel_at_period_end).toBe(true);
  });

  it("keeps a Stripe subscription its org's other app still uses, and ends it with the last one", async () => {
    const world = await linkedConsumer(fake);
    const first = world.consumer.subscription.id;
    const secondApp = await db.app.create({ data: { orgId: world.consumer.org.id, name: 'second app' } });
    const second = await db.subscription.create({
      data: { appId: secondApp.id, planId: world.plan.id, status: 'ACTIVE' },
    });
    await syncOrg(fake, world.org.id);
    const shared = (await stripeSubscriptionOf(first)).row.stripeSubscriptionId!;
    expect((await stripeSubscriptionOf(second.id)).row.stripeSubscriptionId).toBe(shared);

    await db.subscription.update({ where: { id: first }, data: { status: 'CANCELLED' } });
    expect(await syncOrg(fake, world.org.id)).toMatchObject({ stripeSubscriptionsEnded: 0, errors: [] });
    expect(fake.state.subscriptions.get(shared)!.cancel_at_period_end).toBe(false);

    await db.subscription.update({ where: { id: second.id }, data: { status: 'CANCELLED' } });
    expect(await syncOrg(fake, world.org.id)).toMatchObject({ stripeSubscriptionsEnded: 1, errors: [] });
    expect(fake.state.subscriptions.get(shared)!.cancel_at_period_end).toBe(true);
  });

  it('the org subscribing to the plan again resumes its ending Stripe subscription, which can end again', async () => {
    const world = await linkedConsumer(fake);
    const old = world.consumer.subscription.id;
    await db.subscription.update({ where: { id: old }, data: { status: 'CANCELLED' } });
    await syncOrg(fake, world.org.id);
    const ending = (await stripeSubscriptionOf(old)).row.stripeSubscriptionId!;
    expect(fake.state.subscriptions.get(ending)!.cancel_at_period_end).toBe(true);

    // The same day, another app of the org takes the plan: same customer, prices and trial as the first
    // creation, so a fresh create would replay its idempotency key and hand back the ending one.
    const otherApp = await db.app.create({ data: { orgId: world.consumer.org.id, name: 'other app' } });
    const renewed = await db.subscription.create({
      data: { appId: otherApp.id, planId: world.plan.id, status: 'ACTIVE' },
    });
    const creates = fake.state.requestsTo('POST', '/v1/subscriptions').length;
    const summary = await syncOrg(fake, world.org.id);
    expect(summary).toMatchObject({ stripeSubscriptionsCreated: 0, subscriptionsLinked: 1, errors: [] });
    expect(fake.state.requestsTo('POST', '/v1/subscriptions').length).toBe(creates);
    // One Stripe subscription on the customer's meter (two would each bill the whole sum), renewing again.
    const resumed = await stripeSubscriptionOf(renewed.id);
    expect(resumed.row.stripeSubscriptionId).toBe(ending);
    expect(resumed.stripe.cancel_at_period_end).toBe(false);

    await db.subscription.update({ where: { id: renewed.id }, data: { status: 'CANCELLED' } });
    expect(await syncOrg(fake, world.org.id)).toMatchObject({ stripeSubscriptionsEnded: 1, errors: [] });
    expect(fake.state.subscriptions.get(ending)!.cancel_at_period_end).toBe(true);
    // Stripe replays a reused Idempotency-Key's first answer for 24 h: end, resume and end again must
    // each carry their own key, or the second end would be answered with the first and change nothing.
    const keys = fake.state.requestsTo('POST', `/v1/subscriptions/${ending}`).map((r) => r.idempotencyKey);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(3);
  });

  it('an active subscription still pointing at an ending Stripe subscription resumes it', async () => {
    const world = await linkedConsumer(fake);
    const old = world.consumer.subscription.id;
    await db.subscription.update({ where: { id: old }, data: { status: 'CANCELLED' } });
    await syncOrg(fake, world.org.id);
    const ending = (await stripeSubscriptionOf(old)).row.stripeSubscriptionId!;

    const renewed = await db.subscription.create({
      data: {
        appId: world.consumer.app.id,
        planId: world.plan.id,
        status: 'ACTIVE',
        stripeSubscriptionId: ending,
      },
    });
    const summary = await syncOrg(fake, world.org.id, new Date(), { reconcileAll: true });
    expect(summary).toMatchObject({ stripeSubscriptionsCreated: 0, errors: [] });
    const fresh = await stripeSubscriptionOf(renewed.id);
    expect(fresh.row.stripeSubscriptionId).toBe(ending);
    expect(fresh.stripe.cancel_at_period_end).toBe(false);
  });

  it('leaves a Stripe subscription running while an active subscription of the org waits to be linked to it', async () => {
    const world = await linkedConsumer(fake);
    const old = world.consumer.subscription.id;
    const linked = (await stripeSubscriptionOf(old)).row.stripeSubscriptionId!;
    // Another worker's sync read the group while the first app was active and is linking the second
    // app's new subscription to the same Stripe subscription; meanwhile the first app cancels.
    const otherApp = await db.app.create({ data: { orgId: world.consumer.org.id, name: 'other app' } });
    await db.subscription.create({ data: { appId: otherApp.id, planId: world.plan.id, status: 'ACTIVE' } });
    await db.subscription.update({ where: { id: old }, data: { status: 'CANCELLED' } });

    const account = await db.stripeAccount.findUniqueOrThrow({ where: { orgId: world.org.id } });
    const stripe = tenantStripeClient(account, { encryptionKey, apiBase: fake.url });
    const summary = { stripeSubscriptionsEnded: 0, errors: [] } as unknown as StripeSyncSummary;
    await endStripeSubscriptions(db, stripe, world.org.id, new Date(), summary);
    expect(summary).toMatchObject({ stripeSubscriptionsEnded: 0, errors: [] });
    expect(fake.state.subscriptions.get(linked)!.cancel_at_period_end).toBe(false);
  });
});
