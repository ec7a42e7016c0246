import { billingPeriod, hourStart } from '@portcullis/core/periods';
import type { Db, Tx } from '@portcullis/db';

/**
 * The usage a usage alert measures, per period: admitted requests from the hourly usage rollups (what
 * quotas count and invoices bill). A subscription's period is its billing period (monthly anniversaries
 * of currentPeriodStart, like the gateway's quota counter); an API's is the calendar month (UTC). AI budget
 * alerts measure spend instead (usage-alert-budget.ts).
 */

type Reader = Db | Tx;

export type UsageAlertKind = 'SUBSCRIPTION_QUOTA' | 'SUBSCRIPTION_AI_BUDGET' | 'API_REQUESTS';

export interface Period {
  start: Date;
  end: Date;
}

/** The calendar month (UTC) around `at`. */
export function calendarMonth(at: Date): Period {
  return {
    start: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1)),
    end: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1)),
  };
}

export interface SubscriptionSubject {
  id: string;
  currentPeriodStart: Date;
}

/** Admitted requests of each subscription in its current billing period. */
export async function subscriptionPeriodUsage(
  db: Reader,
  subscriptions: SubscriptionSubject[],
  now: Date,
): Promise<Map<string, { period: Period; used: bigint }>> {
  const periods = new Map(subscriptions.map((s) => [s.id, billingPeriod(s.currentPeriodStart, now)]));
  const out = new Map<string, { period: Period; used: bigint }>();
  for (const [id, period] of periods) out.set(id, { period, used: 0n });
  if (periods.size === 0) return out;
  const sums = await db.usageRollup.groupBy({
    by: ['subscriptionId'],
    where: {
      OR: [...periods].map(([subscriptionId, period]) => ({
        subscriptionId,
        bucketStart: { gte: hourStart(period.start), lt: hourStart(period.end) },
      })),
    },
    _sum: { requests: true },
  });
  for (const row of sums) {
    const entry = out.get(row.subscriptionId);
    if (entry) entry.used = row._sum.requests ?? 0n;
  }
  return out;
}

/** Admitted requests to each API (every consumer) in the calendar month around `now`. */
export async function apiMonthUsage(
  db: Reader,
  apis: Array<{ id: string; orgId: string }>,
  now: Date,
): Promise<Map<string, { period: Period; used: bigint }>> {
  const period = calendarMonth(now);
  const out = new Map(apis.map((a) => [a.id, { period, used: 0n }]));
  if (apis.length === 0) return out;
  const sums = await db.usagePairRollup.groupBy({
    by: ['apiId'],
    where: {
      providerOrgId: { in: [...new Set(apis.map((a) => a.orgId))] },
      apiId: { in: apis.map((a) => a.id) },
      bucketStart: { gte: period.start, lt: period.end },
    },
    _sum: { requests: true },
  });
  for (const row of sums) {
    const entry = out.get(row.apiId);
    if (entry) entry.used = row._sum.requests ?? 0n;
  }
  return out;
}

/** The thresholds (percent of `limit`) that `used` has reached, ascending. */
export function crossedThresholds(thresholds: number[], used: bigint, limit: bigint): number[] {
  if (limit <= 0n) return [];
  return [...thresholds].sort((a, b) => a - b).filter((t) => used * 100n >= BigInt(t) * limit);
}

/** Percent of `limit` used, one decimal; null without a limit. */
export function percentUsed(used: bigint, limit: bigint | null): number | null {
  if (limit === null || limit <= 0n) return null;
  return Number((used * 1000n) / limit) / 10;
}
