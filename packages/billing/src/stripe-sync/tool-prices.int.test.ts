import { priceSubscriptionPeriod } from '@portcullis/core/billing/invoice';
import { type PlanPricingInput, ZPlanPricing } from '@portcullis/core/billing/pricing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodUsage } from '../invoice-issue.ts';
import { readStripeToolPrices } from '../stripe/tool-catalog.ts';
import { queueMeterPushes } from './meter-push.ts';
import { REQUEST_METER } from './meter-split.ts';
import { planMeterEventName, toolMeterEventName } from './plan-pricing.ts';
import { stripeInvoiceMinor } from './test/stripe-invoice.ts';
import {
  addToolUsage,
  addUsage,
  connectedProvider,
  consumerOf,
  type FakeStripe,
  HOUR,
  startFakeStripe,
  stripeCustomerId,
  syncOrg,
  testDb,
} from './test/world.ts';

let fake: FakeStripe;
beforeAll(async () => {
  fake = await startFakeStripe();
});
afterAll(() => fake.close());

const db = testDb();
const DAY = 24 * HOUR;

const GRADUATED_WITH_TOOLS: PlanPricingInput = {
  model: 'graduated',
  currency: 'usd',
  flatFee: '5.00',
  tiers: [
    { upTo: 100, unitPrice: '0.01' },
    { upTo: null, unitPrice: '0.004' },
  ],
  toolPrices: { search: '0.02', create_order: '0.1' },
};

/** A provider on `pricing`, one consumer, linked to Stripe by a first sync. */
async function linkedWorld(pricing: PlanPricingInput) {
  const world = await connectedProvider(fake, { pricing });
  const consumer = await consumerOf(world.plan.id);
  const first = await syncOrg(fake, world.org.id);
  expect(first.errors).toEqual([]);
  const customerId = await stripeCustomerId(world.org.id, consumer.org.id);
  const sub = consumer.subscription.id;
  const meterTotal = (tool: string | null) =>
    fake.state.meterTotal(
      tool === null ? planMeterEventName(world.plan.id) : toolMeterEventName(world.plan.id, tool),
      customerId,
    );
  const stripeSubscriptionId = async () =>
    (await db.subscription.findUniqueOrThrow({ where: { id: sub } })).stripeSubscriptionId!;
  const stripeInvoice = async () => stripeInvoiceMinor(fake, await stripeSubscriptionId(), customerId);
  return { ...world, consumer, sub, customerId, meterTotal, stripeSubscriptionId, stripeInvoice };
}

/** 150 billable requests over two hours: 30 calls of search, 5 of create_order, 10 of an unpriced tool. */
async function seedUsage(sub: string, now: Date, scale = 1) {
  await addUsage(sub, new Date(now.getTime() - 3 * HOUR), 100 * scale);
  await addToolUsage(sub, new Date(now.getTime() - 3 * HOUR), 'search', 20 * scale);
  await addUsage(sub, new Date(now.getTime() - 2 * HOUR), 50 * scale);
  await addToolUsage(sub, new Date(now.getTime() - 2 * HOUR), 'search', 10 * scale);
  await addToolUsage(sub, new Date(now.getTime() - 2 * HOUR), 'create_order', 5 * scale);
  await addToolUsage(sub, new Date(now.getTime() - 2 * HOUR), 'unpriced', 10 * scale);
}

/** The local invoice of the usage so far, priced the way period close prices it. */
async function localInvoiceMinor(sub: string, pricing: PlanPricingInput, now: Date): Promise<bigint> {
  const row = await db.subscription.findUniqueOrThrow({ where: { id: sub } });
  const start = new Date(now.getTime() - 2 * DAY);
  const usage = await periodUsage(db, sub, start, new Date(now.getTime() + HOUR));
  return priceSubscriptionPeriod({
    pricing: ZPlanPricing.parse(pricing),
    planName: 'Plan',
    period: { start, end: new Date(start.getTime() + 30 * DAY) },
    subscriptionCreatedAt: row.createdAt,
    usage,
  }).totalMinor;
}

describe('per-tool prices in Stripe', () => {
  it('bills in Stripe exactly what the local invoice bills for a plan with request and tool prices', async () => {
    const world = await linkedWorld(GRADUATED_WITH_TOOLS);
    const row = await db.stripePlanPrice.findUniqueOrThrow({ where: { planId: world.plan.id } });
    const tools = readStripeToolPrices(row.toolPrices);
    expect(Object.keys(tools).sort()).toEqual(['create_order', 'search']);
    // The new Stripe subscription carries the fee, the request price and a price per tool.
    const items = fake.state.subscriptions.get(await world.stripeSubscriptionId())!.items as {
      data: Array<{ price: { id: string } }>;
    };
    expect(items.data.map((item) => item.price.id).sort()).toEqual(
      [row.flatPriceId, row.usagePriceId, tools.search!.priceId, tools.create_order!.priceId].sort(),
    );

    const now = new Date();
    await seedUsage(world.sub, now);
    const synced = await syncOrg(fake, world.org.id, now);
    expect(synced.errors).toEqual([]);
    expect(world.meterTotal(null)).toBe(115n);
    expect(world.meterTotal('search')).toBe(30n);
    expect(world.meterTotal('create_order')).toBe(5n);
    expect(world.meterTotal('unpriced')).toBe(0n);

    // $5 fee + 100 × 1¢ + 15 × 0.4¢ (6¢) + 30 × 2¢ + 5 × 10¢ = $7.16.
    const stripe = await world.stripeInvoice();
    expect(stripe.totalMinor).toBe(716n);
    expect(await localInvoiceMinor(world.sub, GRADUATED_WITH_TOOLS, now)).toBe(stripe.totalMinor);
  });

  it('replays and a crash between queueing and sending report nothing twice', async () => {
    const world = await linkedWorld(GRADUATED_WITH_TOOLS);
    const now = new Date();
    await seedUsage(world.sub, now);
    await syncOrg(fake, world.org.id, now);
    const replay = await syncOrg(fake, world.org.id, new Date(now.getTime() + 60_000));
    expect(replay.meter).toMatchObject({ pushesCreated: 0, sent: 0, duplicates: 0 });

    // More usage: queued, then the process dies before sending anything.
    await seedUsage(world.sub, now, 2);
    const summary = { ...replay.meter, pushesCreated: 0 };
    const account = await db.stripeAccount.findUniqueOrThrow({ where: { orgId: world.org.id } });
    await queueMeterPushes(
      db,
      { providerOrgId: world.org.id, connectedAt: account.connectedAt, now },
      summary,
    );
    // Two hours: the request meter and search in both, create_order in the second.
    expect(summary.pushesCreated).toBe(5);
    // ... or after sending, before recording it: every push is sent again.
    await syncOrg(fake, world.org.id, now);
    await db.stripeMeterPush.updateMany({
      where: { subscriptionId: world.sub },
      data: { sentAt: null, lastError: `attempt: ${now.toISOString()}` },
    });
    const rerun = await syncOrg(fake, world.org.id, new Date(now.getTime() + 120_000));
    expect(rerun.meter).toMatchObject({ pushesCreated: 0, sent: 0, duplicates: 10 });

    expect(world.meterTotal(null)).toBe(345n);
    expect(world.meterTotal('search')).toBe(90n);
    expect(world.meterTotal('create_order')).toBe(15n);
    const stripe = await world.stripeInvoice();
    expect(await localInvoiceMinor(world.sub, GRADUATED_WITH_TOOLS, now)).toBe(stripe.totalMinor);
  });

  it('adds tool prices to an existing Stripe subscription; their calls never reach two meters', async () => {
    const perUnit: PlanPricingInput = { model: 'per_unit', flatFee: '10.00', unitPrice: '0.002' };
    const world = await linkedWorld(perUnit);
    const now = new Date();
    await addUsage(world.sub, new Date(now.getTime() - 3 * HOUR), 40);
    await addToolUsage(world.sub, new Date(now.getTime() - 3 * HOUR), 'search', 10);
    await syncOrg(fake, world.org.id, now);
    expect(world.meterTotal(null)).toBe(40n);
    const before = await world.stripeSubscriptionId();

    const withTools = { ...perUnit, toolPrices: { search: '0.05' } };
    await db.plan.update({ where: { id: world.plan.id }, data: { pricing: withTools as object } });
    const resynced = await syncOrg(fake, world.org.id, now);
    expect(resynced.errors).toEqual([]);
    expect(resynced.catalogsEnsured).toBe(1);
    expect(await world.stripeSubscriptionId()).toBe(before);
    const row = await db.stripePlanPrice.findUniqueOrThrow({ where: { planId: world.plan.id } });
    const search = readStripeToolPrices(row.toolPrices).search!;
    const items = fake.state.subscriptions.get(before)!.items as { data: Array<{ price: { id: string } }> };
    expect(items.data.map((item) => item.price.id)).toContain(search.priceId);
    // The hour already on the request meter stays there (a meter never shrinks): nothing moves.
    expect(world.meterTotal('search')).toBe(0n);
    expect(resynced.meter.overPushedBuckets).toBe(1);

    // New usage: its priced calls go to the tool meter only.
    await addUsage(world.sub, new Date(now.getTime() - HOUR), 20);
    await addToolUsage(world.sub, new Date(now.getTime() - HOUR), 'search', 8);
    await syncOrg(fake, world.org.id, now);
    expect(world.meterTotal('search')).toBe(8n);
    expect(world.meterTotal(null)).toBe(52n);

    // A new price for the tool: the subscription moves to it, the old one is archived.
    await db.plan.update({
      where: { id: world.plan.id },
      data: { pricing: { ...withTools, toolPrices: { search: '0.07' } } as object },
    });
    await syncOrg(fake, world.org.id, now);
    const moved = readStripeToolPrices(
      (await db.stripePlanPrice.findUniqueOrThrow({ where: { planId: world.plan.id } })).toolPrices,
    ).search!;
    expect(moved.meterId).toBe(search.meterId);
    expect(moved.priceId).not.toBe(search.priceId);
    expect(fake.state.prices.get(search.priceId)?.active).toBe(false);
    const after = fake.state.subscriptions.get(before)!.items as { data: Array<{ price: { id: string } }> };
    expect(after.data.map((item) => item.price.id)).toContain(moved.priceId);
    expect(after.data.map((item) => item.price.id)).not.toContain(search.priceId);
  });

  it('a plan billing no requests still bills its tools; the request meter gets nothing', async () => {
    const capped: PlanPricingInput = {
      model: 'included_overage',
      flatFee: '0',
      includedUnits: 1000,
      quotaMode: 'hard_cap',
      toolPrices: { search: '0.5' },
    };
    const world = await linkedWorld(capped);
    const now = new Date();
    await seedUsage(world.sub, now);
    await syncOrg(fake, world.org.id, now);
    expect(world.meterTotal('search')).toBe(30n);
    const pushes = await db.stripeMeterPush.findMany({ where: { subscriptionId: world.sub } });
    expect(pushes.every((push) => push.tool === 'search')).toBe(true);
    expect(pushes.some((push) => push.tool === REQUEST_METER)).toBe(false);
    const stripe = await world.stripeInvoice();
    expect(stripe.totalMinor).toBe(1500n);
    expect(await localInvoiceMinor(world.sub, capped, now)).toBe(stripe.totalMinor);
  });

  it('a plan with more tool prices than a Stripe subscription holds is reported and sends no usage', async () => {
    const toolPrices = Object.fromEntries(Array.from({ length: 19 }, (_, i) => [`tool_${i}`, '0.01']));
    const world = await connectedProvider(fake, {
      pricing: { model: 'per_unit', flatFee: '1.00', unitPrice: '0.001', toolPrices },
    });
    const consumer = await consumerOf(world.plan.id);
    await addUsage(consumer.subscription.id, new Date(Date.now() - HOUR), 10);
    const summary = await syncOrg(fake, world.org.id);
    expect(summary.errors).toEqual([
      expect.objectContaining({
        step: 'catalog',
        subject: world.plan.id,
        message: expect.stringMatching(/20 prices per subscription: this plan needs 21/),
      }),
    ]);
    expect(summary.stripeSubscriptionsCreated).toBe(0);
    expect(await db.stripeMeterPush.count({ where: { subscriptionId: consumer.subscription.id } })).toBe(0);
  });
});
