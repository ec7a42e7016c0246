import { createDb, type Db } from '@portcullis/db';
import type { WatermarkKind } from '@portcullis/usage/watermark';
import { afterEach, describe, expect, it } from 'vitest';
import { uniq } from '../../../test/fixtures.ts';
import { closeDuePeriods } from './invoicing.ts';
import { consumer, db, deleteWorlds, provider, subscription } from './test-world.ts';
import { recordWatermarks } from './watermarks.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const at = (iso: string) => new Date(iso);
const ANCHOR = at('2025-01-15T10:30:00Z');
const P1_END = at('2025-02-15T10:30:00Z');
const P2_END = at('2025-03-15T10:30:00Z');
const P3_END = at('2025-04-15T10:30:00Z');
const settled = (end: Date) => new Date(end.getTime() + 11 * MIN);

const sources: string[] = [];
afterEach(async () => {
  await db.usageWatermark.deleteMany({ where: { source: { in: sources.splice(0) } } });
  await deleteWorlds();
});

async function report(kind: WatermarkKind, watermark: Date, reportedAt: Date, source = uniq(`test:${kind}`)) {
  if (!sources.includes(source)) sources.push(source);
  await recordWatermarks(db, [
    {
      source,
      kind,
      watermarkMs: watermark.getTime(),
      reportedAtMs: reportedAt.getTime(),
      reportedBy: 'test',
    },
  ]);
  return source;
}

/** Adds billable requests to an hour, as the worker's apply does (the rollups only grow). */
async function addUsage(subscriptionId: string, bucketStart: Date, billable: number) {
  await db.usageRollup.upsert({
    where: { subscriptionId_bucketStart_statusClass: { subscriptionId, bucketStart, statusClass: 2 } },
    create: {
      subscriptionId,
      bucketStart,
      statusClass: 2,
      requests: BigInt(billable),
      billable: BigInt(billable),
    },
    update: { requests: { increment: BigInt(billable) }, billable: { increment: BigInt(billable) } },
  });
}

const invoicesOf = (subscriptionId: string) =>
  db.invoice.findMany({
    where: { subscriptionId },
    include: { lines: { orderBy: { id: 'asc' } } },
    orderBy: { periodStart: 'asc' },
  });

// 10.00 a period; requests 1–1,000 free, 1,001–5,000 at 0.004 (+2.00 once reached), beyond at 0.001.
const GRADUATED = {
  model: 'graduated' as const,
  flatFee: '10.00',
  tiers: [
    { upTo: 1000, unitPrice: '0' },
    { upTo: 5000, unitPrice: '0.004', flatFee: '2.00' },
    { upTo: null, unitPrice: '0.001' },
  ],
};

describe('period close and usage watermarks', () => {
  it('waits while a partition is behind or stale, and closes with all the usage once it passes', async () => {
    const p = await provider({ pricing: { model: 'per_unit', unitPrice: '0.01' } });
    const c = await consumer();
    const sub = await subscription(c.app.id, p.plan.id, ANCHOR);
    await addUsage(sub.id, at('2025-02-15T09:00:00Z'), 40);
    const now = settled(P1_END);
    const partition = await report(
      'stream',
      new Date(P1_END.getTime() - MIN),
      new Date(now.getTime() - 5_000),
    );

    const behind = await closeDuePeriods(db, { now });
    expect(behind.invoicesCreated).toBe(0);
    expect(behind.held).toMatchObject({ periods: 1, earliestEnd: P1_END });
    expect(behind.held.waitingFor).toEqual([
      expect.objectContaining({ source: partition, kind: 'stream', state: 'current', reportedBy: 'test' }),
    ]);

    // Its worker stops reporting: the partition is stale, and its entries may still be waiting in Redis.
    await db.usageWatermark.update({
      where: { source: partition },
      data: { reportedAt: new Date(now.getTime() - 30 * MIN) },
    });
    const later = new Date(now.getTime() + 20 * MIN);
    const stale = await closeDuePeriods(db, { now: later });
    expect(stale.invoicesCreated).toBe(0);
    expect(stale.held.waitingFor).toEqual([expect.objectContaining({ source: partition, state: 'stale' })]);
    expect(await invoicesOf(sub.id)).toEqual([]);

    // The worker comes back and drains the backlog: the last of the period's usage lands, then the
    // watermark passes the period's end.
    await addUsage(sub.id, at('2025-02-15T09:00:00Z'), 2);
    await report('stream', P1_END, later, partition);
    const closed = await closeDuePeriods(db, { now: later });
    expect(closed).toMatchObject({ invoicesCreated: 1, held: { periods: 0 } });
    const [invoice] = await invoicesOf(sub.id);
    expect(invoice).toMatchObject({ totalMinor: 42n, pricedBillable: 42n });
  });

  it('waits for a gateway still holding usage in memory, but not for one presumed dead', async () => {
    const p = await provider({ pricing: { model: 'flat', flatFee: '3.00' } });
    const c = await consumer();
    const sub = await subscription(c.app.id, p.plan.id, ANCHOR);
    const now = settled(P1_END);
    // Cut off from Postgres 40 minutes ago: it cannot report, and may hold usage of the period.
    const gateway = await report(
      'gateway',
      new Date(P1_END.getTime() - HOUR),
      new Date(now.getTime() - 40 * MIN),
    );
    const held = await closeDuePeriods(db, { now });
    expect(held.invoicesCreated).toBe(0);
    expect(held.held.waitingFor).toEqual([expect.objectContaining({ source: gateway, state: 'stale' })]);
    // Silent past the give-up time (default 1 h): a dead process' memory is gone; nothing to wait for.
    const gaveUp = await closeDuePeriods(db, { now: new Date(now.getTime() + 21 * MIN) });
    expect(gaveUp).toMatchObject({ invoicesCreated: 1, held: { periods: 0 } });
    expect(await invoicesOf(sub.id)).toHaveLength(1);
  });
});

describe('late usage', () => {
  it('is charged exactly on the next invoice, never twice, and the issued invoice is left as it was', async () => {
    const p = await provider({ pricing: GRADUATED });
    const c = await consumer();
    const sub = await subscription(c.app.id, p.plan.id, ANCHOR);
    await addUsage(sub.id, at('2025-01-20T00:00:00Z'), 900);
    await closeDuePeriods(db, { now: settled(P1_END) });
    const [first] = await invoicesOf(sub.id);
    expect(first).toMatchObject({ number: 'INV-000001', totalMinor: 1000n, pricedBillable: 900n });

    // 1,111 requests of the first period arrive after its invoice (e.g. held by a gateway in an outage).
    await addUsage(sub.id, at('2025-02-01T00:00:00Z'), 1_111);
    await addUsage(sub.id, at('2025-02-20T00:00:00Z'), 3_000);
    // Nothing to close before the next period ends; the issued invoice is not touched.
    expect(await closeDuePeriods(db, { now: at('2025-03-01T00:00:00Z') })).toMatchObject({
      invoicesCreated: 0,
    });

    const clients: Db[] = [createDb(undefined, 2), createDb(undefined, 2), createDb(undefined, 2)];
    try {
      const runs = await Promise.all(
        clients.map((client) => closeDuePeriods(client, { now: settled(P2_END) })),
      );
      expect(runs.reduce((sum, run) => sum + run.invoicesCreated, 0)).toBe(1);
      expect(runs.flatMap((run) => run.lateUsage)).toEqual([
        {
          subscriptionId: sub.id,
          adjustedInvoice: 'INV-000001',
          billedOn: 'INV-000002',
          periodStart: ANCHOR,
          amountMinor: 604n,
          currency: 'usd',
        },
      ]);
    } finally {
      await Promise.all(clients.map((client) => client.$disconnect()));
    }
    expect(await closeDuePeriods(db, { now: settled(P2_END) })).toMatchObject({
      invoicesCreated: 0,
      lateUsage: [],
    });

    const [firstAgain, second] = await invoicesOf(sub.id);
    expect(firstAgain).toEqual(first);
    // 2,011 requests cost 10.00 + 1,011 × 0.004 + 2.00 = 16.044 → 16.04; 10.00 was invoiced: 6.04 more.
    expect(second?.lines.map((l) => [l.kind, l.description, l.quantity, l.unitPrice, l.amountMinor])).toEqual(
      [
        ['flat_fee', 'Metered: fee for 2025-02-15 to 2025-03-15', 1n, '10', 1000n],
        ['tier', 'Requests 1–1,000 (tier 1): 1,000 × $0.00', 1000n, '0', 0n],
        ['tier', 'Requests 1,001–5,000 (tier 2): 2,000 × $0.004 + $2.00 tier fee', 2000n, '0.004', 1000n],
        [
          'late_usage',
          'Usage from 2025-01-15 to 2025-02-15 received after it was invoiced (INV-000001): +1,111 requests',
          1n,
          '6.04',
          604n,
        ],
      ],
    );
    expect(second).toMatchObject({ number: 'INV-000002', subtotalMinor: 2604n, totalMinor: 2604n });

    // More of the first period arrives: only the increase is charged, at the tier it reaches.
    await addUsage(sub.id, at('2025-02-02T00:00:00Z'), 3_500);
    const third = await closeDuePeriods(db, { now: settled(P3_END) });
    expect(third.lateUsage.map((late) => late.amountMinor)).toEqual([1247n]);
    const adjustments = await db.lateUsageAdjustment.findMany({
      where: { adjustedInvoiceId: first?.id },
      orderBy: { sequence: 'asc' },
    });
    expect(adjustments.map((a) => [a.sequence, a.billable, a.amountMinor])).toEqual([
      [1, 2_011n, 604n],
      [2, 5_511n, 1247n],
    ]);
    // The period's invoice and its adjustments add up to its price at its final usage:
    // 10.00 + (4,000 × 0.004 + 2.00) + 511 × 0.001 = 28.511 → 28.51.
    expect(1000n + 604n + 1247n).toBe(2851n);
    expect((await invoicesOf(sub.id))[0]).toEqual(first);
  });

  it('of a cancelled subscription goes on an invoice of its own, once', async () => {
    const p = await provider({ pricing: { model: 'per_unit', unitPrice: '0.01' } });
    const c = await consumer();
    const sub = await subscription(c.app.id, p.plan.id, ANCHOR, {
      status: 'CANCELLED',
      updatedAt: at('2025-02-10T00:00:00Z'),
    });
    await addUsage(sub.id, at('2025-02-01T00:00:00Z'), 100);
    await closeDuePeriods(db, { now: settled(P1_END) });
    expect((await invoicesOf(sub.id)).map((i) => [i.kind, i.totalMinor])).toEqual([['period', 100n]]);

    await addUsage(sub.id, at('2025-02-09T00:00:00Z'), 50);
    const now = at('2025-02-20T00:00:00Z');
    expect(await closeDuePeriods(db, { now, cancelledLateUsage: false })).toMatchObject({
      invoicesCreated: 0,
    });
    const runs = await Promise.all([closeDuePeriods(db, { now }), closeDuePeriods(db, { now })]);
    expect(runs.reduce((sum, run) => sum + run.invoicesCreated, 0)).toBe(1);
    expect(await closeDuePeriods(db, { now: new Date(now.getTime() + DAY) })).toMatchObject({
      invoicesCreated: 0,
    });
    const invoices = await invoicesOf(sub.id);
    expect(invoices.map((i) => [i.kind, i.totalMinor, i.status])).toEqual([
      ['period', 100n, 'FINALIZED'],
      ['late_usage', 50n, 'FINALIZED'],
    ]);
    expect(invoices[1]).toMatchObject({ periodStart: now, periodEnd: now });
    expect(invoices[1]?.lines.map((l) => [l.kind, l.description, l.amountMinor])).toEqual([
      [
        'late_usage',
        'Usage from 2025-01-15 to 2025-02-15 received after it was invoiced (INV-000001): +50 requests',
        50n,
      ],
    ]);
  });

  it('of an invoice issued before pricing snapshots is charged only when the plan still prices it the same', async () => {
    const p = await provider({ pricing: { model: 'per_unit', unitPrice: '0.01', flatFee: '1.00' } });
    const c = await consumer();
    const sub = await subscription(c.app.id, p.plan.id, ANCHOR);
    await addUsage(sub.id, at('2025-01-20T00:00:00Z'), 200);
    await closeDuePeriods(db, { now: settled(P1_END) });
    const legacy = {
      pricedBillable: null,
      pricedTokensIn: null,
      pricedTokensOut: null,
      pricedWith: undefined,
    };
    await db.invoice.updateMany({ where: { subscriptionId: sub.id }, data: legacy });
    await addUsage(sub.id, at('2025-01-21T00:00:00Z'), 30);
    const second = await closeDuePeriods(db, { now: settled(P2_END) });
    expect(second.lateUsage.map((l) => l.amountMinor)).toEqual([30n]);

    // Its pricing has changed since: the old invoice cannot be repriced, so it is reported, not guessed.
    await db.invoice.updateMany({ where: { subscriptionId: sub.id }, data: legacy });
    await db.plan.update({
      where: { id: p.plan.id },
      data: { pricing: { model: 'per_unit', unitPrice: '0.02', flatFee: '1.00', currency: 'usd' } },
    });
    await addUsage(sub.id, at('2025-02-20T00:00:00Z'), 7);
    const third = await closeDuePeriods(db, { now: settled(P3_END) });
    expect(third.invoicesCreated).toBe(1);
    expect(third.lateUsage).toEqual([]);
    expect(third.skipped.map((s) => s.reason)).toEqual([
      expect.stringMatching(/^INV-00000[12]: late usage for an invoice whose pricing is unknown/),
    ]);
  });
});
