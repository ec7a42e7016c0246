import { DomainError } from '@portcullis/core/errors';
import { createDb, type Db } from '@portcullis/db';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { uniq } from '../../../test/fixtures.ts';
import {
  closeDuePeriods,
  duePeriods,
  markInvoicePaid,
  previewCurrentPeriod,
  voidInvoice,
} from './invoicing.ts';
import { consumer, db, deleteWorlds, provider, subscription, usage } from './test-world.ts';

const DAY = 86_400_000;
const MIN = 60_000;
const at = (iso: string) => new Date(iso);
afterEach(deleteWorlds);

const invoicesOf = (subscriptionId: string) =>
  db.invoice.findMany({
    where: { subscriptionId },
    include: { lines: { orderBy: { id: 'asc' } } },
    orderBy: { periodStart: 'asc' },
  });

const ANCHOR = at('2025-01-15T10:30:00Z');
const PERIOD_END = at('2025-02-15T10:30:00Z');

describe('closeDuePeriods', () => {
  it('invoices a closed period exactly from the hourly rollups, once', async () => {
    const p = await provider({
      pricing: {
        model: 'per_unit',
        unitPrice: '0.00025',
        flatFee: '49.00',
        tokenPrices: { inputPerMillion: '0.5', outputPerMillion: '1.5' },
      },
    });
    const c = await consumer();
    const sub = await subscription(c.app.id, p.plan.id, ANCHOR);
    // The anchor's own hour (10:00, before 10:30) belongs to the first period; the end's hour to the next.
    await usage(sub.id, at('2025-01-15T10:00:00Z'), 100, { in: 2_000_000, out: 0 });
    await usage(sub.id, at('2025-01-20T00:00:00Z'), 1_000, { in: 0, out: 333_333 });
    await usage(sub.id, at('2025-02-15T09:00:00Z'), 10);
    await usage(sub.id, at('2025-02-15T10:00:00Z'), 7);

    const early = await closeDuePeriods(db, { now: new Date(PERIOD_END.getTime() + 9 * MIN) });
    expect(early.invoicesCreated).toBe(0);
    expect(await invoicesOf(sub.id)).toEqual([]);

    const now = new Date(PERIOD_END.getTime() + 10 * MIN);
    const summary = await closeDuePeriods(db, { now });
    expect(summary).toEqual({
      invoicesCreated: 1,
      totalsByCurrency: { usd: 5078n },
      skipped: [],
      held: { periods: 0, earliestEnd: null, waitingFor: [] },
      lateUsage: [],
    });
    const [invoice, ...more] = await invoicesOf(sub.id);
    expect(more).toEqual([]);
    expect(invoice).toMatchObject({
      number: 'INV-000001',
      customerOrgId: c.org.id,
      providerOrgId: p.org.id,
      periodStart: ANCHOR,
      periodEnd: PERIOD_END,
      status: 'FINALIZED',
      currency: 'usd',
      subtotalMinor: 5078n,
      totalMinor: 5078n,
      billedVia: 'local',
      finalizedAt: now,
      dueAt: new Date(now.getTime() + 14 * DAY),
      paidAt: null,
    });
    expect(invoice?.lines.map((l) => [l.kind, l.quantity, l.unitPrice, l.amountMinor])).toEqual([
      ['flat_fee', 1n, '49', 4900n],
      ['usage', 1110n, '0.00025', 28n], // 0.2775 → 0.28
      ['tokens_in', 2_000_000n, '0.0000005', 100n],
      ['tokens_out', 333_333n, '0.0000015', 50n], // 0.4999995 → 0.50
    ]);
    expect(invoice?.lines.every((l) => l.subscriptionId === sub.id)).toBe(true);
    expect(
      await db.auditLog.findFirst({ where: { action: 'invoice.issue', targetId: invoice?.id } }),
    ).toMatchObject({ orgId: p.org.id, actorId: null, after: { number: 'INV-000001', totalMinor: '5078' } });

    // A re-run (or a restart) finds nothing left to do.
    expect(await closeDuePeriods(db, { now })).toMatchObject({ invoicesCreated: 0, skipped: [] });
    expect(await db.invoice.count({ where: { subscriptionId: sub.id } })).toBe(1);
  });

  it('issues every missed period in order, numbered per provider, and keeps the running one open', async () => {
    const p1 = await provider({ pricing: { model: 'flat', flatFee: '10.00' } });
    const p2 = await provider({ pricing: { model: 'flat', flatFee: '10.00', currency: 'eur' } });
    const c = await consumer();
    const a = await subscription(c.app.id, p1.plan.id, ANCHOR);
    const app2 = await db.app.create({ data: { orgId: c.org.id, name: uniq('app') } });
    const b = await subscription(app2.id, p2.plan.id, ANCHOR);
    // Mar 15 10:30 + 10 min: two periods have ended (Jan 15 → Feb 15 → Mar 15), the third runs.
    const summary = await closeDuePeriods(db, { now: at('2025-03-15T10:40:00Z') });
    expect(summary.invoicesCreated).toBe(4);
    expect(summary.totalsByCurrency).toEqual({ usd: 2000n, eur: 2000n });
    for (const sub of [a, b]) {
      const invoices = await invoicesOf(sub.id);
      expect(invoices.map((i) => [i.number, i.periodStart.toISOString(), i.periodEnd.toISOString()])).toEqual(
        [
          ['INV-000001', '2025-01-15T10:30:00.000Z', '2025-02-15T10:30:00.000Z'],
          ['INV-000002', '2025-02-15T10:30:00.000Z', '2025-03-15T10:30:00.000Z'],
        ],
      );
    }
  });

  it('bills nothing past the quota on hard_cap and bills the overage with bill_overage', async () => {
    const capped = await provider({ pricing: { model: 'per_unit', unitPrice: '0.01' }, monthlyQuota: 1000 });
    const overage = await provider({
      pricing: { model: 'per_unit', unitPrice: '0.01', quotaMode: 'bill_overage' },
      monthlyQuota: 1000,
    });
    const c = await consumer();
    const app2 = await db.app.create({ data: { orgId: c.org.id, name: uniq('app') } });
    const subCapped = await subscription(c.app.id, capped.plan.id, ANCHOR);
    const subOverage = await subscription(app2.id, overage.plan.id, ANCHOR);
    await usage(subCapped.id, at('2025-01-16T00:00:00Z'), 1500);
    await usage(subOverage.id, at('2025-01-16T00:00:00Z'), 1500);
    await closeDuePeriods(db, { now: at('2025-02-16T00:00:00Z') });
    expect((await invoicesOf(subCapped.id))[0]).toMatchObject({ totalMinor: 1000n, status: 'FINALIZED' });
    expect((await invoicesOf(subOverage.id))[0]).toMatchObject({ totalMinor: 1500n, status: 'FINALIZED' });
  });

  it('marks a zero invoice PAID at once, shows the trial credit, and bills after the trial', async () => {
    const free = await provider({ pricing: { model: 'free' } });
    const trial = await provider({ pricing: { model: 'flat', flatFee: '25.00', trialDays: 14 } });
    const c = await consumer();
    const app2 = await db.app.create({ data: { orgId: c.org.id, name: uniq('app') } });
    const subFree = await subscription(c.app.id, free.plan.id, ANCHOR);
    const subTrial = await subscription(app2.id, trial.plan.id, ANCHOR);
    await usage(subFree.id, at('2025-01-16T00:00:00Z'), 42);
    const now = at('2025-03-15T11:00:00Z');
    await closeDuePeriods(db, { now });
    const [freeInvoice] = await invoicesOf(subFree.id);
    expect(freeInvoice).toMatchObject({ status: 'PAID', paidAt: now, totalMinor: 0n });
    expect(freeInvoice?.lines.map((l) => [l.kind, l.quantity, l.amountMinor])).toEqual([['usage', 42n, 0n]]);
    const [first, second] = await invoicesOf(subTrial.id);
    expect(first).toMatchObject({ status: 'PAID', subtotalMinor: 2500n, totalMinor: 0n });
    expect(first?.lines.map((l) => [l.kind, l.amountMinor])).toEqual([
      ['flat_fee', 2500n],
      ['usage', 0n],
      ['trial_credit', -2500n],
    ]);
    expect(second).toMatchObject({ status: 'FINALIZED', totalMinor: 2500n, paidAt: null });
  });

  it('marks invoices of a provider with Stripe connected as billed via stripe', async () => {
    const p = await provider({ pricing: { model: 'flat', flatFee: '5.00' } });
    await db.stripeAccount.create({
      data: { orgId: p.org.id, secretKeyEnc: 'x', webhookSecretEnc: 'y', secretKeyLast4: '1234' },
    });
    const c = await consumer();
    const sub = await subscription(c.app.id, p.plan.id, ANCHOR);
    await closeDuePeriods(db, { now: at('2025-02-16T00:00:00Z') });
    expect((await invoicesOf(sub.id))[0]).toMatchObject({ billedVia: 'stripe', totalMinor: 500n });
  });

  it('skips periods before approval, after cancellation, and subscriptions never approved', async () => {
    const p = await provider({ pricing: { model: 'flat', flatFee: '1.00' } });
    const c = await consumer();
    const app = async () => (await db.app.create({ data: { orgId: c.org.id, name: uniq('app') } })).id;
    const late = await subscription(c.app.id, p.plan.id, ANCHOR, {
      decidedAt: new Date(ANCHOR.getTime() + 40 * DAY),
    });
    const cancelled = await subscription(await app(), p.plan.id, ANCHOR, {
      status: 'CANCELLED',
      updatedAt: new Date(ANCHOR.getTime() + 40 * DAY),
    });
    const pending = await subscription(await app(), p.plan.id, ANCHOR, {
      status: 'PENDING',
      decidedAt: null,
    });
    const rejected = await subscription(await app(), p.plan.id, ANCHOR, { status: 'REJECTED' });
    await closeDuePeriods(db, { now: at('2025-04-20T00:00:00Z') });
    // Periods: Jan 15, Feb 15, Mar 15 (ended Apr 15).
    const starts = async (id: string) =>
      (await invoicesOf(id)).map((i) => i.periodStart.toISOString().slice(0, 10));
    expect(await starts(late.id)).toEqual(['2025-02-15', '2025-03-15']);
    expect(await starts(cancelled.id)).toEqual(['2025-01-15', '2025-02-15']);
    expect(await starts(pending.id)).toEqual([]);
    expect(await starts(rejected.id)).toEqual([]);
  });

  it('bills a legacy plan at its monthly price and reports (not throws on) unreadable pricing', async () => {
    const legacy = await provider({ legacyPriceMinor: 1999 });
    const broken = await provider({ pricing: { model: 'per_unit' }, raw: true });
    const c = await consumer();
    const legacySub = await subscription(c.app.id, legacy.plan.id, ANCHOR);
    const app2 = await db.app.create({ data: { orgId: c.org.id, name: uniq('app') } });
    const brokenSub = await subscription(app2.id, broken.plan.id, ANCHOR);
    const summary = await closeDuePeriods(db, { now: at('2025-02-16T00:00:00Z') });
    expect(summary.invoicesCreated).toBe(1);
    expect(summary.skipped).toEqual([
      { subscriptionId: brokenSub.id, periodStart: ANCHOR, reason: expect.stringContaining('unitPrice') },
    ]);
    expect((await invoicesOf(legacySub.id))[0]).toMatchObject({ currency: 'eur', totalMinor: 1999n });
    expect(await invoicesOf(brokenSub.id)).toEqual([]);
  });

  it('never double-invoices or leaves gaps when several processes close periods at once', async () => {
    const p = await provider({ pricing: { model: 'per_unit', unitPrice: '0.001', flatFee: '1.00' } });
    const c = await consumer();
    const subs = [];
    for (let i = 0; i < 10; i++) {
      const app = await db.app.create({ data: { orgId: c.org.id, name: uniq('app') } });
      const sub = await subscription(app.id, p.plan.id, new Date(ANCHOR.getTime() + i * 3_600_000));
      await usage(sub.id, at('2025-01-20T00:00:00Z'), 1000 + i);
      subs.push(sub);
    }
    const clients: Db[] = [createDb(undefined, 4), createDb(undefined, 4), createDb(undefined, 4)];
    try {
      const now = at('2025-03-20T00:00:00Z');
      const runs = await Promise.all(clients.map((client) => closeDuePeriods(client, { now })));
      expect(runs.flatMap((r) => r.skipped)).toEqual([]);
      expect(runs.reduce((sum, r) => sum + r.invoicesCreated, 0)).toBe(20);
      const invoices = await db.invoice.findMany({ where: { providerOrgId: p.org.id } });
      expect(invoices).toHaveLength(20);
      expect(invoices.map((i) => i.number).sort()).toEqual(
        Array.from({ length: 20 }, (_, i) => `INV-${String(i + 1).padStart(6, '0')}`),
      );
      expect(runs.reduce((sum, r) => sum + (r.totalsByCurrency.usd ?? 0n), 0n)).toBe(
        invoices.reduce((sum, i) => sum + i.totalMinor, 0n),
      );
    } finally {
      await Promise.all(clients.map((client) => client.$disconnect()));
    }
  });
});

describe('duePeriods', () => {
  it('starts at the creation of a subscription made with the column defaults', async () => {
    const p = await provider();
    const c = await consumer();
    const sub = await db.subscription.create({
      data: { appId: c.app.id, planId: p.plan.id, status: 'ACTIVE' },
    });
    // Both default to now(): the first period must start exactly at creation, or it would be skipped.
    expect(sub.currentPeriodStart.getTime()).toBe(sub.createdAt.getTime());
    const periods = duePeriods(sub, new Date(sub.createdAt.getTime() + 32 * DAY));
    expect(periods[0]?.start).toEqual(sub.createdAt);
  });

  it('skips the partial period when the anchor is older than the subscription', () => {
    const periods = duePeriods(
      {
        status: 'ACTIVE',
        createdAt: at('2025-01-20T00:00:00Z'),
        decidedAt: null,
        updatedAt: at('2025-01-20T00:00:00Z'),
        currentPeriodStart: ANCHOR,
      },
      at('2025-03-20T00:00:00Z'),
    );
    expect(periods.map((p) => p.start.toISOString())).toEqual(['2025-02-15T10:30:00.000Z']);
  });
});

describe('previewCurrentPeriod', () => {
  it('extrapolates usage so far to the whole period', async () => {
    const p = await provider({ pricing: { model: 'per_unit', unitPrice: '0.01' } });
    const c = await consumer();
    const sub = await subscription(c.app.id, p.plan.id, ANCHOR);
    await usage(sub.id, at('2025-01-20T00:00:00Z'), 100);
    // Half of the 31-day period has passed: 100 so far projects to 200.
    const preview = await previewCurrentPeriod(db, sub.id, new Date(ANCHOR.getTime() + 15.5 * DAY));
    expect(preview).toMatchObject({
      subscriptionId: sub.id,
      period: { start: ANCHOR, end: PERIOD_END },
      usedSoFar: { billableRequests: 100n },
      projectedUsage: { billableRequests: 200n },
      currency: 'usd',
      totalMinor: 200n,
    });
    await expect(previewCurrentPeriod(db, 'nope', new Date())).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('markInvoicePaid / voidInvoice', () => {
  async function issued(opts: { stripe?: boolean } = {}) {
    const p = await provider({ pricing: { model: 'flat', flatFee: '3.00' } });
    if (opts.stripe) {
      await db.stripeAccount.create({
        data: { orgId: p.org.id, secretKeyEnc: 'x', webhookSecretEnc: 'y', secretKeyLast4: '1234' },
      });
    }
    const c = await consumer();
    const sub = await subscription(c.app.id, p.plan.id, ANCHOR);
    await closeDuePeriods(db, { now: at('2025-02-16T00:00:00Z') });
    const [invoice] = await invoicesOf(sub.id);
    if (!invoice) throw new Error('no invoice');
    const ctxOf = (orgId: string, actorId: string) => ({ db, actor: { id: actorId }, org: { id: orgId } });
    return { p, c, invoice, provider: ctxOf(p.org.id, p.owner.id), customer: ctxOf(c.org.id, c.user.id) };
  }
  const code = (promise: Promise<unknown>) =>
    promise.then(
      () => 'resolved',
      (e: unknown) => (e instanceof DomainError ? e.code : String(e)),
    );

  it('marks a finalized local invoice paid once, with an audit row', async () => {
    const { p, invoice, provider: ctx, customer } = await issued();
    expect(await code(markInvoicePaid(customer, { invoiceId: invoice.id }))).toBe('NOT_FOUND');
    const paid = await markInvoicePaid(ctx, { invoiceId: invoice.id });
    expect(paid).toEqual({ id: invoice.id, number: invoice.number, status: 'PAID' });
    const row = await db.invoice.findUniqueOrThrow({ where: { id: invoice.id } });
    expect(row.status).toBe('PAID');
    expect(row.paidAt).toBeInstanceOf(Date);
    expect(
      await db.auditLog.findFirst({ where: { action: 'invoice.markPaid', targetId: invoice.id } }),
    ).toMatchObject({
      orgId: p.org.id,
      actorId: p.owner.id,
      before: { status: 'FINALIZED' },
      after: { status: 'PAID' },
    });
    expect(await code(markInvoicePaid(ctx, { invoiceId: invoice.id }))).toBe('CONFLICT');
    expect(await code(voidInvoice(ctx, { invoiceId: invoice.id }))).toBe('CONFLICT');
  });

  it('voids a finalized local invoice; refuses Stripe invoices', async () => {
    const local = await issued();
    await voidInvoice(local.provider, { invoiceId: local.invoice.id });
    expect(await db.invoice.findUniqueOrThrow({ where: { id: local.invoice.id } })).toMatchObject({
      status: 'VOID',
      paidAt: null,
    });
    expect(await code(markInvoicePaid(local.provider, { invoiceId: local.invoice.id }))).toBe('CONFLICT');
    const viaStripe = await issued({ stripe: true });
    expect(await code(markInvoicePaid(viaStripe.provider, { invoiceId: viaStripe.invoice.id }))).toBe(
      'CONFLICT',
    );
    expect(await db.invoice.findUniqueOrThrow({ where: { id: viaStripe.invoice.id } })).toMatchObject({
      status: 'FINALIZED',
    });
  });
});

afterAll(async () => {
  await db.$disconnect();
});
