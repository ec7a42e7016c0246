import { type PlanPricingInput, ZPlanPricing } from '@portcullis/core/billing/pricing';
import { getDb, type Role } from '@portcullis/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOrg, seedUser, uniq } from '../../../test/fixtures.ts';
import { closeDuePeriods, markInvoicePaid, voidInvoice } from './invoicing.ts';
import {
  consumerOverview,
  findInvoiceForUser,
  getInvoiceDetail,
  listInvoices,
  providerRevenue,
  topConsumers,
  unpaidInvoices,
} from './reports.ts';

const db = getDb();
const at = (iso: string) => new Date(iso);
const ANCHOR = at('2024-01-10T00:00:00Z');
const FEB_CLOSE = at('2024-02-10T01:00:00Z');
const MAR_CLOSE = at('2024-03-10T01:00:00Z');
const MANAGERS: Role[] = ['OWNER', 'ADMIN'];
const EVERYONE: Role[] = ['OWNER', 'ADMIN', 'DEVELOPER', 'VIEWER'];

/**
 * One provider with two APIs (Maps: Pro in usd and Euro in eur; Geo: Basic in usd) and two customers,
 * invoiced for the periods starting Jan 10 and Feb 10 2024:
 *   c1 Pro (10.00 + 0.01/request, 1000 requests in Jan) → 20.00, then 10.00; c1 Euro → 5.00 € twice
 *   c2 Pro (100 requests) → 11.00, then 10.00; c2 Basic (1.00 flat, 5000 requests) → 1.00 twice
 */
async function seedWorld() {
  const owner = await seedUser(db, 'prov');
  const provider = await seedOrg(db, owner.id, 'OWNER', 'prov');
  const providerViewer = await seedUser(db, 'prov-viewer');
  await db.membership.create({ data: { orgId: provider.id, userId: providerViewer.id, role: 'VIEWER' } });
  const api = (name: string) =>
    db.api.create({
      data: { orgId: provider.id, slug: uniq(name.toLowerCase()), name, upstreamUrl: 'http://127.0.0.1:9/' },
    });
  const [maps, geo] = [await api('Maps'), await api('Geo')];
  const plan = (apiId: string, name: string, pricing: PlanPricingInput, monthlyQuota: number | null = null) =>
    db.plan.create({ data: { apiId, name, monthlyQuota, pricing: ZPlanPricing.parse(pricing) } });
  const pro = await plan(maps.id, 'Pro', { model: 'per_unit', unitPrice: '0.01', flatFee: '10.00' }, 10_000);
  const euro = await plan(maps.id, 'Euro', { model: 'flat', flatFee: '5.00', currency: 'eur' });
  const basic = await plan(geo.id, 'Basic', { model: 'flat', flatFee: '1.00' });

  const customer = async (label: string) => {
    const user = await seedUser(db, label);
    const org = await seedOrg(db, user.id, 'VIEWER', label);
    return { user, org };
  };
  const [c1, c2, stranger] = [await customer('c1'), await customer('c2'), await customer('stranger')];
  const subscribe = async (orgId: string, planId: string, status: 'ACTIVE' | 'PENDING' = 'ACTIVE') => {
    const app = await db.app.create({ data: { orgId, name: uniq('app') } });
    return db.subscription.create({
      data: {
        appId: app.id,
        planId,
        status,
        createdAt: ANCHOR,
        currentPeriodStart: ANCHOR,
        decidedAt: ANCHOR,
      },
    });
  };
  const subs = {
    c1Pro: await subscribe(c1.org.id, pro.id),
    c1Euro: await subscribe(c1.org.id, euro.id),
    c2Pro: await subscribe(c2.org.id, pro.id),
    c2Basic: await subscribe(c2.org.id, basic.id),
    c1Pending: await subscribe(c1.org.id, basic.id, 'PENDING'),
  };
  const usage = (subscriptionId: string, bucketStart: string, n: number) =>
    db.usageRollup.create({
      data: {
        subscriptionId,
        bucketStart: at(bucketStart),
        statusClass: 2,
        requests: BigInt(n),
        billable: BigInt(n),
      },
    });
  await usage(subs.c1Pro.id, '2024-01-20T00:00:00Z', 1000);
  await usage(subs.c2Pro.id, '2024-01-20T00:00:00Z', 100);
  await usage(subs.c2Basic.id, '2024-01-21T00:00:00Z', 5000);
  await closeDuePeriods(db, { now: FEB_CLOSE });
  await closeDuePeriods(db, { now: MAR_CLOSE });
  const invoiceOf = async (subscriptionId: string, periodStart: string) =>
    db.invoice.findFirstOrThrow({ where: { subscriptionId, periodStart: at(periodStart) } });
  const c1ProJan = await invoiceOf(subs.c1Pro.id, '2024-01-10T00:00:00Z');
  const c2BasicFeb = await invoiceOf(subs.c2Basic.id, '2024-02-10T00:00:00Z');
  const ctx = { db, actor: { id: owner.id }, org: { id: provider.id } };
  await markInvoicePaid(ctx, { invoiceId: c1ProJan.id });
  await voidInvoice(ctx, { invoiceId: c2BasicFeb.id });
  // A draft (as another process might leave mid-flight): providers see it, customers never do.
  const draft = await db.invoice.create({
    data: {
      number: 'INV-999999',
      customerOrgId: c1.org.id,
      providerOrgId: provider.id,
      periodStart: at('2024-03-10T00:00:00Z'),
      periodEnd: at('2024-04-10T00:00:00Z'),
      status: 'DRAFT',
      currency: 'usd',
    },
  });
  return {
    owner,
    providerViewer,
    provider,
    maps,
    geo,
    pro,
    euro,
    basic,
    c1,
    c2,
    stranger,
    subs,
    c1ProJan,
    c2BasicFeb,
    draft,
  };
}

let w: Awaited<ReturnType<typeof seedWorld>>;
beforeAll(async () => {
  w = await seedWorld();
});
afterAll(async () => {
  await db.organization.deleteMany({ where: { id: { in: [w.c1.org.id, w.c2.org.id, w.stranger.org.id] } } });
  await db.organization.delete({ where: { id: w.provider.id } });
  await db.$disconnect();
});

describe('consumerOverview', () => {
  it("shows the org's open subscriptions with this period's usage, quota and projected charge", async () => {
    await db.usageRollup.create({
      data: {
        subscriptionId: w.subs.c1Pro.id,
        bucketStart: at('2024-03-12T00:00:00Z'),
        statusClass: 2,
        billable: 300n,
      },
    });
    // Mar 20: 10 of the 31 days of the period Mar 10 → Apr 10 have passed: 300 → 930 requests.
    const overview = await consumerOverview(db, { orgId: w.c1.org.id, now: at('2024-03-20T00:00:00Z') });
    // A pending subscription is listed with what it waits for, and charges nothing.
    expect(overview.subscriptions.map((s) => s.subscriptionId).sort()).toEqual(
      [w.subs.c1Pro.id, w.subs.c1Euro.id, w.subs.c1Pending.id].sort(),
    );
    expect(overview.subscriptions.find((s) => s.subscriptionId === w.subs.c1Pending.id)).toMatchObject({
      state: 'AWAITING_APPROVAL',
      projected: null,
    });
    const pro = overview.subscriptions.find((s) => s.subscriptionId === w.subs.c1Pro.id);
    expect(pro).toMatchObject({
      status: 'ACTIVE',
      state: 'ACTIVE',
      api: { id: w.maps.id, name: 'Maps', providerOrg: { slug: w.provider.slug } },
      plan: { id: w.pro.id, name: 'Pro', monthlyQuota: 10_000 },
      period: { start: at('2024-03-10T00:00:00Z'), end: at('2024-04-10T00:00:00Z') },
      billableUsed: 300n,
      projected: { currency: 'usd', totalMinor: 1930n },
    });
    expect(overview.projectedTotals).toEqual([
      { currency: 'eur', amountMinor: 500n },
      { currency: 'usd', amountMinor: 1930n },
    ]);
    expect((await consumerOverview(db, { orgId: w.stranger.org.id, now: new Date() })).subscriptions).toEqual(
      [],
    );
  });
});

describe('listInvoices', () => {
  it('pages the customer side (never drafts) and filters by status', async () => {
    const page1 = await listInvoices(db, { orgId: w.c1.org.id, side: 'customer', page: 1, pageSize: 3 });
    expect(page1.total).toBe(4);
    expect(page1.rows).toHaveLength(3);
    const page2 = await listInvoices(db, { orgId: w.c1.org.id, side: 'customer', page: 2, pageSize: 3 });
    expect(page2.rows).toHaveLength(1);
    const seen = [...page1.rows, ...page2.rows].map((r) => r.id);
    expect(new Set(seen).size).toBe(4);
    expect(seen).not.toContain(w.draft.id);
    expect(page1.rows[0]?.periodStart.getTime()).toBeGreaterThanOrEqual(
      page2.rows[0]?.periodStart.getTime() ?? 0,
    );
    const paid = await listInvoices(db, {
      orgId: w.c1.org.id,
      side: 'customer',
      status: 'PAID',
      page: 1,
      pageSize: 10,
    });
    expect(paid.rows.map((r) => r.id)).toEqual([w.c1ProJan.id]);
    const drafts = await listInvoices(db, {
      orgId: w.c1.org.id,
      side: 'customer',
      status: 'DRAFT',
      page: 1,
      pageSize: 10,
    });
    expect(drafts).toMatchObject({ rows: [], total: 0 });
  });

  it("lists the provider's invoices including drafts, and nothing of other orgs", async () => {
    const all = await listInvoices(db, { orgId: w.provider.id, side: 'provider', page: 1, pageSize: 50 });
    expect(all.total).toBe(9);
    expect(all.rows.map((r) => r.id)).toContain(w.draft.id);
    const asCustomer = await listInvoices(db, {
      orgId: w.provider.id,
      side: 'customer',
      page: 1,
      pageSize: 50,
    });
    expect(asCustomer.total).toBe(0);
    const strangers = await listInvoices(db, {
      orgId: w.stranger.org.id,
      side: 'provider',
      page: 1,
      pageSize: 50,
    });
    expect(strangers.total).toBe(0);
  });
});

describe('getInvoiceDetail / findInvoiceForUser', () => {
  it('shows the invoice to its customer and its provider, in pricing order', async () => {
    const asCustomer = await getInvoiceDetail(db, {
      invoiceId: w.c1ProJan.id,
      customerOrgIds: [w.c1.org.id],
      providerOrgIds: [],
    });
    expect(asCustomer).toMatchObject({
      number: w.c1ProJan.number,
      totalMinor: 2000n,
      viewerIsProvider: false,
    });
    expect(asCustomer.lines.map((l) => [l.kind, l.quantity, l.amountMinor])).toEqual([
      ['flat_fee', 1n, 1000n],
      ['usage', 1000n, 1000n],
    ]);
    const asProvider = await getInvoiceDetail(db, {
      invoiceId: w.c1ProJan.id,
      customerOrgIds: [],
      providerOrgIds: [w.provider.id],
    });
    expect(asProvider.viewerIsProvider).toBe(true);
  });

  it('answers NOT_FOUND to other orgs, to the provider as a customer and to customers for drafts', async () => {
    const cases = [
      { invoiceId: w.c1ProJan.id, customerOrgIds: [w.c2.org.id], providerOrgIds: [w.stranger.org.id] },
      { invoiceId: w.c1ProJan.id, customerOrgIds: [w.provider.id], providerOrgIds: [w.c1.org.id] },
      { invoiceId: w.draft.id, customerOrgIds: [w.c1.org.id], providerOrgIds: [] },
      { invoiceId: 'missing', customerOrgIds: [w.c1.org.id], providerOrgIds: [w.provider.id] },
    ];
    for (const input of cases) {
      await expect(getInvoiceDetail(db, input)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }
    expect(
      (
        await getInvoiceDetail(db, {
          invoiceId: w.draft.id,
          customerOrgIds: [],
          providerOrgIds: [w.provider.id],
        })
      ).status,
    ).toBe('DRAFT');
  });

  it("resolves the user's memberships with the roles each side needs", async () => {
    const lookup = (userId: string) =>
      findInvoiceForUser(db, {
        userId,
        invoiceId: w.c1ProJan.id,
        customerRoles: EVERYONE,
        providerRoles: MANAGERS,
      });
    expect((await lookup(w.c1.user.id)).id).toBe(w.c1ProJan.id); // a VIEWER of the customer org
    expect((await lookup(w.owner.id)).viewerIsProvider).toBe(true);
    await expect(lookup(w.providerViewer.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(lookup(w.c2.user.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('providerRevenue', () => {
  it('groups issued invoices by month × API × plan, one row per currency, without voided ones', async () => {
    const revenue = await providerRevenue(db, { orgId: w.provider.id, since: at('2024-01-01T00:00:00Z') });
    expect(
      revenue.rows.map((r) => [
        r.month,
        r.apiName,
        r.planName,
        r.currency,
        r.invoices,
        r.invoicedMinor,
        r.paidMinor,
      ]),
    ).toEqual([
      // Geo/Basic of March was voided.
      ['2024-03', 'Maps', 'Euro', 'eur', 1, 500n, 0n],
      ['2024-03', 'Maps', 'Pro', 'usd', 2, 2000n, 0n],
      ['2024-02', 'Geo', 'Basic', 'usd', 1, 100n, 0n],
      ['2024-02', 'Maps', 'Euro', 'eur', 1, 500n, 0n],
      ['2024-02', 'Maps', 'Pro', 'usd', 2, 3100n, 2000n],
    ]);
    expect(revenue.invoicedTotals).toEqual([
      { currency: 'eur', amountMinor: 1000n },
      { currency: 'usd', amountMinor: 5200n },
    ]);
    expect(revenue.paidTotals).toEqual([
      { currency: 'eur', amountMinor: 0n },
      { currency: 'usd', amountMinor: 2000n },
    ]);
    const recent = await providerRevenue(db, { orgId: w.provider.id, since: at('2024-03-01T00:00:00Z') });
    expect(new Set(recent.rows.map((r) => r.month))).toEqual(new Set(['2024-03']));
    expect(
      (await providerRevenue(db, { orgId: w.c1.org.id, since: at('2024-01-01T00:00:00Z') })).rows,
    ).toEqual([]);
  });
});

describe('topConsumers', () => {
  it('ranks customers by revenue per currency and by requests', async () => {
    const top = await topConsumers(db, {
      orgId: w.provider.id,
      now: at('2024-03-10T02:00:00Z'),
      days: 60,
      limit: 10,
    });
    expect(top.byRevenue.map((r) => [r.slug, r.currency, r.totalMinor, r.invoices])).toEqual([
      [w.c1.org.slug, 'eur', 1000n, 2],
      [w.c1.org.slug, 'usd', 3000n, 2],
      [w.c2.org.slug, 'usd', 2200n, 3],
    ]);
    expect(top.byRequests.map((r) => [r.slug, r.requests])).toEqual([
      [w.c2.org.slug, 5100n],
      [w.c1.org.slug, 1000n], // the 300 of Mar 12 are after `now`
    ]);
    const one = await topConsumers(db, {
      orgId: w.provider.id,
      now: at('2024-03-10T02:00:00Z'),
      days: 60,
      limit: 1,
    });
    expect(one.byRevenue.map((r) => [r.slug, r.currency])).toEqual([
      [w.c1.org.slug, 'eur'],
      [w.c1.org.slug, 'usd'],
    ]);
    expect(one.byRequests).toHaveLength(1);
  });
});

describe('unpaidInvoices', () => {
  it('lists finalized, unpaid invoices oldest due first, flags overdue ones and totals per currency', async () => {
    const unpaid = await unpaidInvoices(db, { orgId: w.provider.id, now: at('2024-03-10T02:00:00Z') });
    expect(unpaid.rows).toHaveLength(6);
    expect(unpaid.rows.every((r) => r.status === 'FINALIZED')).toBe(true);
    expect(unpaid.rows.map((r) => r.id)).not.toContain(w.c1ProJan.id);
    expect(unpaid.rows.map((r) => r.id)).not.toContain(w.c2BasicFeb.id);
    expect(unpaid.rows.map((r) => r.overdue)).toEqual([true, true, true, false, false, false]);
    expect(unpaid.totals).toEqual([
      { currency: 'eur', amountMinor: 1000n },
      { currency: 'usd', amountMinor: 100n + 1100n + 1000n + 1000n },
    ]);
    expect((await unpaidInvoices(db, { orgId: w.c1.org.id, now: new Date() })).rows).toEqual([]);
  });
});
