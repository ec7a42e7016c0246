import { parseAiLimits, usdToMicros } from '@portcullis/core/ai-config';
import type { Db, Tx } from '@portcullis/db';
import { calendarMonth, type Period } from './usage-alert-usage.ts';
import { microsToUsd } from './verbs/ai-shared.ts';

/**
 * AI budget alerts measure spend the way the gateway's budget counters do (apps/gateway/src/ai/budgets.ts):
 * a 'month' window is the calendar month (UTC); scope 'app' counts one subscription (app × plan), scope
 * 'org' every subscription of the consumer org's apps to that same plan (whatever their status now). The
 * spend is the exact micro-USD cost the hourly usage rollups carry (UsageRollup.costMicros).
 */

type Reader = Db | Tx;

interface MonthlyBudget {
  scope: 'app' | 'org';
  /** micro-USD */
  micros: bigint;
}

/**
 * The plan's monthly USD budgets an alert can watch: the tightest per app and the tightest per
 * organization, app first. A $0 budget is left out: it refuses every call, there is nothing to warn of.
 * Per-key budgets and shorter windows are not watched.
 */
export function monthlyUsdBudgets(aiLimits: unknown): MonthlyBudget[] {
  const monthly = parseAiLimits(aiLimits).filter((l) => l.metric === 'usd' && l.window === 'month');
  return (['app', 'org'] as const).flatMap((scope) => {
    const amounts = monthly
      .filter((l) => l.scope === scope)
      .map((l) => usdToMicros(l.limit))
      .filter((micros) => micros > 0n);
    return amounts.length === 0 ? [] : [{ scope, micros: amounts.reduce((a, b) => (b < a ? b : a)) }];
  });
}

/** Whether the plan has a monthly USD budget an alert can watch. */
export const hasMonthlyUsdBudget = (aiLimits: unknown): boolean => monthlyUsdBudgets(aiLimits).length > 0;

/** "$50.00", "$0.0015", "$1,234.5678": exact, at least cents. */
export function usdText(micros: bigint): string {
  const [whole = '0', fraction = ''] = microsToUsd(micros).split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const digits = whole.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}$${digits}.${fraction.padEnd(2, '0')}`;
}

/** "the $50.00 monthly AI budget", or "the organization's …" when the org's apps share it. */
export const budgetText = (budget: MonthlyBudget) =>
  `the ${budget.scope === 'org' ? "organization's " : ''}${usdText(budget.micros)} monthly AI budget`;

interface BudgetSubject {
  id: string;
  planId: string;
  /** the consumer org of the subscription's app */
  orgId: string;
  budgets: MonthlyBudget[];
}

/** `a` is nearer its limit than `b` (used/limit compared exactly, by cross-multiplying). */
const nearer = (a: { used: bigint; budget: MonthlyBudget }, b: { used: bigint; budget: MonthlyBudget }) =>
  a.used * b.budget.micros > b.used * a.budget.micros;

/**
 * Each subscription's AI spend this calendar month (UTC) against the budget nearest its limit: the
 * gateway refuses calls at whichever runs out first, per app or shared by the org's apps.
 */
export async function budgetMonthStanding(
  db: Reader,
  subjects: BudgetSubject[],
  now: Date,
): Promise<Map<string, { period: Period; used: bigint; budget: MonthlyBudget }>> {
  const period = calendarMonth(now);
  const out = new Map<string, { period: Period; used: bigint; budget: MonthlyBudget }>();
  const watched = subjects.filter((s) => s.budgets.length > 0);
  if (watched.length === 0) return out;
  const orgWide = watched.filter((s) => s.budgets.some((b) => b.scope === 'org'));
  // Every subscription that shares an org-wide budget with a watched one: same plan, same consumer org.
  const siblings =
    orgWide.length === 0
      ? []
      : await db.subscription.findMany({
          where: { OR: orgWide.map((s) => ({ planId: s.planId, app: { orgId: s.orgId } })) },
          select: { id: true, planId: true, app: { select: { orgId: true } } },
        });
  const ids = [...new Set([...watched.map((s) => s.id), ...siblings.map((s) => s.id)])];
  const sums = await db.usageRollup.groupBy({
    by: ['subscriptionId'],
    where: { subscriptionId: { in: ids }, bucketStart: { gte: period.start, lt: period.end } },
    _sum: { costMicros: true },
  });
  const spent = new Map(sums.map((row) => [row.subscriptionId, row._sum.costMicros ?? 0n]));
  const orgSpend = new Map<string, bigint>();
  for (const s of siblings) {
    const key = `${s.planId}:${s.app.orgId}`;
    orgSpend.set(key, (orgSpend.get(key) ?? 0n) + (spent.get(s.id) ?? 0n));
  }
  for (const s of watched) {
    const standings = s.budgets.map((budget) => ({
      budget,
      used: (budget.scope === 'app' ? spent.get(s.id) : orgSpend.get(`${s.planId}:${s.orgId}`)) ?? 0n,
    }));
    const nearest = standings.reduce((best, next) => (nearer(next, best) ? next : best));
    out.set(s.id, { period, ...nearest });
  }
  return out;
}
