import { type PlanPricingInput, ZPlanPricing } from '@portcullis/core/billing/pricing';
import { getDb } from '@portcullis/db';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedOrg, seedUser, uniq } from '../../../test/fixtures.ts';
import { closeDuePeriods, voidInvoice } from './invoicing.ts';
import { paidSubscriptionsByMonth, providerMrr, revenueBreakdown } from './revenue.ts';

const db = getDb();
const at = (iso: string) => new Date(iso);
const ANCHOR = at('2024-01-10T00:00:00Z');
const NOW = at('2024-03-15T00:00:00Z');

/**
 * A provider with Maps (Pro: 10.00 + 0.01/request in usd; Euro: 5.00 € flat; Trial: 7.00 flat after 30
 * days free; Free) and Geo (Basic: 1.00 flat; Tiered: graduated), invoiced for the periods starting
 * Jan 10 and Feb 10 2024:
 *   c1 Pro (1000 requests in Jan) → 20.00, then 10.00; c1 Euro → 5.00 € twice
 *   c2 Pro (100 requests) → 11.00, then 10.00; c2 Basic → 1.00, then 1.00 voided
 */
async function seedWorld() {
  const owner = await seedUser(db, 'prov');
  const provider = await seedOrg(db, owner.id, 'OWNER', 'prov');
  const api = (name: string) =>
    db.api.create({
      data: { orgId: provider.id, slug: uniq(name.toLowerCase()), name, upstreamUrl: 'http://127.0.0.1:9/' },
    });
  const [maps, geo] = [await api('Maps'), await api('Geo')];
  const plan = (apiId: string, name: string, pricing: PlanPricingInput) =>
    db.plan.create({ data: { apiId, name, pricing: ZPlanPricing.parse(pricing) } });
  const pro = await plan(maps.id, 'Pro', { model: 'per_unit', unitPrice: '0.01', flatFee: '10.00' });
  const euro = await plan(maps.id, 'Euro', { model: 'flat', flatFee: '5.00', currency: 'eur' });
  const trial = await plan(maps.id, 'Trial', { model: 'flat', flatFee: '7.00', trialDays: 30 });
  const free = await plan(maps.id, 'Free', { model: 'free' });
  const basic = await plan(geo.id, 'Basic', { model: 'flat', flatFee: '1.00' });
  const tiered = await plan(geo.id, 'Tiered', {
    model: 'graduated',
    tiers: [{ upTo: null, unitPrice: '0.01', flatFee: '3.00' }],
  });
  const customer = async (label: string) => seedOrg(db, (await seedUser(db, label)).id, 'OWNER', label);
  const [c1, c2] = [await customer('c1'), await customer('c2')];
  const subscribe = async (
    orgId: string,
    planId: string,
    status: 'ACTIVE' | 'PENDING' = 'ACTIVE',
    since = ANCHOR,
  ) => {
    const app = await db.app.create({ data: { orgId, name: uniq('app') } });
    return db.subscription.create({
      data: { appId: app.id, planId, status, createdAt: since, currentPeriodStart: since, decidedAt: since },
    });
  };
  const subs = {
    c1Pro: await subscribe(c1.id, pro.id),
    c1Euro: await subscribe(c1.id, euro.id),
    c2Pro: await subscribe(c2.id, pro.id),
    c2Basic: await subscribe(c2.id, basic.id),
  };
  await subscribe(c1.id, basic.id, 'PENDING');
  await subscribe(c2.id, free.id);
  await subscribe(c2.id, tiered.id, 'ACTIVE', at('2024-03-01T00:00:00Z'));
  await subscribe(c1.id, trial.id, 'ACTIVE', at('2024-03-01T00:00:00Z'));
  const usage = (subscriptionId: string, n: number) =>
    db.usageRollup.create({
      data: {
        subscriptionId,
        bucketStart: at('2024-01-20T00:00:00Z'),
        statusClass: 2,
        requests: BigInt(n),
        billable: BigInt(n),
      },
    });
  await usage(subs.c1Pro.id, 1000);
  await usage(subs.c2Pro.id, 100);
  await closeDuePeriods(db, { now: at('2024-02-10T01:00:00Z') });
  await closeDuePeriods(db, { now: at('2024-03-10T01:00:00Z') });
  const basicFeb = await db.invoice.findFirstOrThrow({
    where: { subscriptionId: subs.c2Basic.id, periodStart: at('2024-02-10T00:00:00Z') },
  });
  await voidInvoice({ db, actor: { id: owner.id }, org: { id: provider.id } }, { invoiceId: basicFeb.id });
  return { provider, maps, geo, pro, euro, basic };
}

describe('provider revenue view', () => {
  let w: Awaited<ReturnType<typeof seedWorld>>;
  beforeAll(async () => {
    w = await seedWorld();
  });

  it('MRR: the recurring fees of active, billed subscriptions, per currency and plan', async () => {
    const mrr = await providerMrr(db, { orgId: w.provider.id, now: NOW });
    expect(mrr.totals).toEqual([
      { currency: 'eur', amountMinor: 500n, subscriptions: 1 },
      { currency: 'usd', amountMinor: 2100n, subscriptions: 3 },
    ]);
    expect(mrr.byPlan.map((p) => [p.plan.name, p.currency, p.amountMinor, p.subscriptions])).toEqual([
      ['Euro', 'eur', 500n, 1],
      ['Pro', 'usd', 2000n, 2],
      ['Basic', 'usd', 100n, 1],
    ]);
    expect(mrr.inTrial).toBe(1);
  });

  it('paid subscriptions billed per month, months without any listed as zero', async () => {
    const series = await paidSubscriptionsByMonth(db, { orgId: w.provider.id, now: NOW, months: 4 });
    expect(series.months).toEqual(['2023-12', '2024-01', '2024-02', '2024-03']);
    expect(series.currencies).toEqual([
      {
        currency: 'eur',
        points: [
          { month: '2023-12', subscriptions: 0, amountMinor: 0n },
          { month: '2024-01', subscriptions: 1, amountMinor: 500n },
          { month: '2024-02', subscriptions: 1, amountMinor: 500n },
          { month: '2024-03', subscriptions: 0, amountMinor: 0n },
        ],
      },
      {
        currency: 'usd',
        points: [
          { month: '2023-12', subscriptions: 0, amountMinor: 0n },
          { month: '2024-01', subscriptions: 3, amountMinor: 3200n },
          { month: '2024-02', subscriptions: 2, amountMinor: 2000n },
          { month: '2024-03', subscriptions: 0, amountMinor: 0n },
        ],
      },
    ]);
  });

  it('revenue by API and by plan from issued invoice lines, without voided invoices', async () => {
    const all = await revenueBreakdown(db, { orgId: w.provider.id, now: NOW, months: 12 });
    expect(all.byApi.map((r) => [r.apiName, r.currency, r.amountMinor])).toEqual([
      ['Maps', 'eur', 1000n],
      ['Maps', 'usd', 5100n],
      ['Geo', 'usd', 100n],
    ]);
    expect(all.byPlan.map((r) => [r.planName, r.currency, r.amountMinor])).toEqual([
      ['Euro', 'eur', 1000n],
      ['Pro', 'usd', 5100n],
      ['Basic', 'usd', 100n],
    ]);
    // This month only: the invoices issued on Mar 10 (the periods starting Feb 10).
    const march = await revenueBreakdown(db, { orgId: w.provider.id, now: NOW, months: 1 });
    expect(march.byPlan.map((r) => [r.planName, r.currency, r.amountMinor])).toEqual([
      ['Euro', 'eur', 500n],
      ['Pro', 'usd', 2000n],
    ]);
  });

  it('shows another provider nothing', async () => {
    const other = await seedOrg(db, (await seedUser(db, 'other')).id);
    expect((await providerMrr(db, { orgId: other.id, now: NOW })).totals).toEqual([]);
    expect((await revenueBreakdown(db, { orgId: other.id, now: NOW, months: 12 })).byApi).toEqual([]);
    expect((await paidSubscriptionsByMonth(db, { orgId: other.id, now: NOW, months: 2 })).currencies).toEqual(
      [],
    );
  });
});
