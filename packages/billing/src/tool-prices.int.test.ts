import type { PlanPricingInput } from '@portcullis/core/billing/pricing';
import { afterEach, describe, expect, it } from 'vitest';
import { closeDuePeriods, previewCurrentPeriod } from './invoicing.ts';
import { consumer, db, deleteWorlds, provider, subscription, toolUsage, usage } from './test-world.ts';

const at = (iso: string) => new Date(iso);
afterEach(deleteWorlds);

const ANCHOR = at('2025-01-15T10:30:00Z');
const PERIOD_END = at('2025-02-15T10:30:00Z');
const AFTER_END = new Date(PERIOD_END.getTime() + 10 * 60_000);

const GRADUATED_WITH_TOOLS: PlanPricingInput = {
  model: 'graduated',
  tiers: [
    { upTo: 100, unitPrice: '0.01' },
    { upTo: null, unitPrice: '0.005' },
  ],
  toolPrices: { search: '0.02', create_order: '0.1' },
};

/** 150 billable requests, of which 30 calls of search, 5 of create_order, 10 of an unpriced tool. */
async function seedPeriod(subscriptionId: string, scale = 1) {
  await usage(subscriptionId, at('2025-01-16T00:00:00Z'), 100 * scale);
  await usage(subscriptionId, at('2025-01-17T00:00:00Z'), 50 * scale);
  await toolUsage(subscriptionId, at('2025-01-16T00:00:00Z'), 'search', 20 * scale);
  await toolUsage(subscriptionId, at('2025-01-17T00:00:00Z'), 'search', 10 * scale);
  await toolUsage(subscriptionId, at('2025-01-17T00:00:00Z'), 'create_order', 5 * scale);
  await toolUsage(subscriptionId, at('2025-01-17T00:00:00Z'), 'unpriced', 10 * scale);
  // Outside the period: never on this invoice.
  await toolUsage(subscriptionId, at('2025-02-15T10:00:00Z'), 'search', 1_000);
}

const linesOf = async (subscriptionId: string) => {
  const invoice = await db.invoice.findFirstOrThrow({
    where: { subscriptionId },
    include: { lines: { orderBy: { id: 'asc' } } },
  });
  return {
    totalMinor: invoice.totalMinor,
    subtotalMinor: invoice.subtotalMinor,
    lines: invoice.lines.map((l) => [l.kind, l.description, l.quantity, l.unitPrice, l.amountMinor]),
  };
};

const TOOL_PRICED_LINES = [
  // 150 billable − 35 tool-priced calls = 115 requests through the tiers.
  ['tier', 'Requests 1–100 (tier 1): 100 × $0.01', 100n, '0.01', 100n],
  ['tier', 'Requests 101–∞ (tier 2): 15 × $0.005', 15n, '0.005', 8n], // 0.075 → 0.08
  ['tool_calls', 'Tool calls: create_order (5 × $0.10)', 5n, '0.1', 50n],
  ['tool_calls', 'Tool calls: search (30 × $0.02)', 30n, '0.02', 60n],
];

describe('invoices with tool prices', () => {
  it('bills priced tool calls at their own price instead of the request tiers', async () => {
    const p = await provider({ pricing: GRADUATED_WITH_TOOLS });
    const c = await consumer();
    const sub = await subscription(c.app.id, p.plan.id, ANCHOR);
    await seedPeriod(sub.id);
    await closeDuePeriods(db, { now: AFTER_END });
    // other files' subscriptions may be closed by the same run: count this one's invoices only
    expect(await db.invoice.count({ where: { subscriptionId: sub.id } })).toBe(1);
    expect(await linesOf(sub.id)).toEqual({
      totalMinor: 218n,
      subtotalMinor: 218n,
      lines: TOOL_PRICED_LINES,
    });
  });

  it('lets a trial credit cover the tool lines too', async () => {
    const p = await provider({ pricing: { ...GRADUATED_WITH_TOOLS, trialDays: 30 } });
    const c = await consumer();
    const sub = await subscription(c.app.id, p.plan.id, ANCHOR);
    await seedPeriod(sub.id);
    await closeDuePeriods(db, { now: AFTER_END });
    expect(await linesOf(sub.id)).toEqual({
      totalMinor: 0n,
      subtotalMinor: 218n,
      lines: [...TOOL_PRICED_LINES, ['trial_credit', 'Free trial (until 2025-02-14)', 1n, '-2.18', -218n]],
    });
  });

  it('prices late tool calls of an invoiced period at the tool price, the billed ones not again', async () => {
    const p = await provider({ pricing: GRADUATED_WITH_TOOLS });
    const c = await consumer();
    const sub = await subscription(c.app.id, p.plan.id, ANCHOR);
    await seedPeriod(sub.id);
    await closeDuePeriods(db, { now: AFTER_END });
    // 5 more search calls reach the invoiced period (they are requests too).
    await usage(sub.id, at('2025-01-18T00:00:00Z'), 5);
    await toolUsage(sub.id, at('2025-01-18T00:00:00Z'), 'search', 5);
    await closeDuePeriods(db, { now: at('2025-03-15T10:40:00Z') });
    const invoices = await db.invoice.findMany({
      where: { subscriptionId: sub.id },
      include: { lines: { where: { kind: 'late_usage' } } },
      orderBy: { periodStart: 'asc' },
    });
    expect(invoices).toHaveLength(2);
    // 115 requests stay in the tiers; search goes from 30 to 35 calls × $0.02.
    expect(invoices[1]?.lines.map((l) => l.amountMinor)).toEqual([10n]);
  });

  it('projects the running period with the same rule', async () => {
    const p = await provider({ pricing: GRADUATED_WITH_TOOLS });
    const c = await consumer();
    const sub = await subscription(c.app.id, p.plan.id, ANCHOR);
    await seedPeriod(sub.id);
    // Half the period gone: every count doubles.
    const preview = await previewCurrentPeriod(db, sub.id, at('2025-01-30T22:30:00Z'));
    expect(preview.usedSoFar.toolCalls).toEqual({ search: 30n, create_order: 5n, unpriced: 10n });
    expect(preview.lines.map((l) => [l.kind, l.quantity, l.amountMinor])).toEqual([
      ['tier', 100n, 100n],
      ['tier', 130n, 65n],
      ['tool_calls', 10n, 100n],
      ['tool_calls', 60n, 120n],
    ]);
    expect(preview.totalMinor).toBe(385n);
  });
});
