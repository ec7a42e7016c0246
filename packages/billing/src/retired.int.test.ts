import { afterEach, describe, expect, it } from 'vitest';
import { closeDuePeriods } from './invoicing.ts';
import { consumerOverview } from './reports.ts';
import { consumer, db, deleteWorlds, provider, subscription, usage } from './test-world.ts';

/** A retired API takes no calls: its subscriptions stop accruing fees and usage from the retirement on. */

const at = (iso: string) => new Date(iso);
afterEach(deleteWorlds);

const ANCHOR = at('2025-01-15T10:30:00Z');
const RETIRED_AT = at('2025-02-01T00:00:00Z');

async function retiredWorld() {
  const p = await provider({
    pricing: { model: 'per_unit', currency: 'usd', flatFee: '10.00', unitPrice: '0.01' },
  });
  const c = await consumer();
  const sub = await subscription(c.app.id, p.plan.id, ANCHOR);
  await usage(sub.id, at('2025-01-20T00:00:00Z'), 100);
  await db.api.update({ where: { id: p.api.id }, data: { status: 'RETIRED', sunsetAt: RETIRED_AT } });
  return { p, c, sub };
}

describe('a subscription whose API was retired', () => {
  it('is invoiced for the period the retirement fell in, and never again', async () => {
    const { sub } = await retiredWorld();
    const summary = await closeDuePeriods(db, { now: at('2025-05-20T00:00:00Z'), cancelledLateUsage: false });
    const invoices = await db.invoice.findMany({
      where: { subscriptionId: sub.id },
      orderBy: { periodStart: 'asc' },
      select: { periodStart: true, totalMinor: true },
    });
    // 10.00 flat + 100 × 0.01 for Jan 15 – Feb 15; no flat fee for the three periods after the retirement.
    expect(invoices).toEqual([{ periodStart: ANCHOR, totalMinor: 1100n }]);
    expect(summary.skipped).toEqual([]);
  });

  it('shows as API_RETIRED to its consumer, with no upcoming charge once past the retirement period', async () => {
    const { c, sub } = await retiredWorld();
    const later = await consumerOverview(db, { orgId: c.org.id, now: at('2025-03-20T00:00:00Z') });
    expect(later.subscriptions).toEqual([
      expect.objectContaining({
        subscriptionId: sub.id,
        status: 'ACTIVE',
        state: 'API_RETIRED',
        retiredAt: RETIRED_AT,
        projected: null,
      }),
    ]);
    expect(later.projectedTotals).toEqual([]);

    // Inside the retirement's period: what it has used, not extrapolated (no more calls can come).
    await usage(sub.id, at('2025-01-25T00:00:00Z'), 100);
    const during = await consumerOverview(db, { orgId: c.org.id, now: at('2025-02-05T00:00:00Z') });
    expect(during.subscriptions[0]).toMatchObject({
      state: 'API_RETIRED',
      billableUsed: 200n,
      projected: { currency: 'usd', totalMinor: 1200n },
    });
  });

  it('an active subscription shows its trial end and the upcoming charge extrapolated from usage so far', async () => {
    const p = await provider({
      pricing: { model: 'per_unit', currency: 'usd', flatFee: '10.00', unitPrice: '0.01', trialDays: 7 },
    });
    const c = await consumer();
    const sub = await subscription(c.app.id, p.plan.id, ANCHOR);
    await usage(sub.id, at('2025-01-20T00:00:00Z'), 100);
    const overview = await consumerOverview(db, { orgId: c.org.id, now: at('2025-01-16T10:30:00Z') });
    expect(overview.subscriptions[0]).toMatchObject({
      state: 'ACTIVE',
      trialEndsAt: at('2025-01-22T10:30:00Z'),
      projected: { trial: true, totalMinor: 0n },
    });
    const pending = await subscription(c.app.id, p.plan.id, ANCHOR, {
      status: 'PENDING',
      pendingReason: 'payment_method',
      paymentMethodError: 'Your card was declined.',
    });
    const withPending = await consumerOverview(db, { orgId: c.org.id, now: at('2025-01-16T10:30:00Z') });
    expect(withPending.subscriptions.find((row) => row.subscriptionId === pending.id)).toMatchObject({
      state: 'AWAITING_PAYMENT_METHOD',
      paymentMethodError: 'Your card was declined.',
      projected: null,
    });
  });
});
