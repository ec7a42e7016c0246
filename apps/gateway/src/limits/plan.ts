import { billingPeriod } from '@portcullis/core/periods';
import type { SubscriptionRecord } from '../config/repository.ts';
import type { LimitRequest, LimitWindowSpec, RateLimitAccuracy } from './types.ts';

/**
 * Every window of a plan: the primary Plan.rateLimit (subscription scope) first, then Plan.limits.
 * Names are what RateLimit-Policy shows: `w60` for a subscription window, `ip-w60` for a scoped one,
 * with `-2`, `-3`… when two windows would otherwise share a name.
 */
export function planWindows(sub: SubscriptionRecord): LimitWindowSpec[] {
  const raw = [
    ...(sub.rateLimit === null
      ? []
      : [
          { limit: sub.rateLimit, windowSeconds: sub.rateLimitWindowSeconds, scope: 'subscription' as const },
        ]),
    ...sub.limits,
  ];
  const taken = new Set<string>();
  return raw.map((window) => {
    const base = `${window.scope === 'subscription' ? '' : `${window.scope}-`}w${window.windowSeconds}`;
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
    taken.add(name);
    return { name, limit: window.limit, windowSeconds: window.windowSeconds, scope: window.scope };
  });
}

/** The quota's billing period at `nowMs`, anchored to the subscription's period start. */
export function quotaPeriod(sub: SubscriptionRecord, nowMs: number): { startMs: number; endMs: number } {
  const { start, end } = billingPeriod(new Date(sub.currentPeriodStart), new Date(nowMs));
  return { startMs: start.getTime(), endMs: end.getTime() };
}

export interface LimitContext {
  keyId: string;
  appId: string;
  ip?: string | undefined;
  failureMode: NonNullable<LimitRequest['failureMode']>;
  accuracy?: RateLimitAccuracy | undefined;
  /** Requests already recorded in Postgres since the period start. */
  quotaBase: (periodStartMs: number) => Promise<number>;
}

export async function limitRequestFor(
  sub: SubscriptionRecord,
  nowMs: number,
  context: LimitContext,
): Promise<LimitRequest> {
  let quota: LimitRequest['quota'] = null;
  // bill_overage plans admit past the quota (the excess is billed), so only hard caps are enforced here.
  if (sub.monthlyQuota !== null && sub.quotaMode === 'hard_cap') {
    const period = quotaPeriod(sub, nowMs);
    quota = {
      limit: sub.monthlyQuota,
      periodStartMs: period.startMs,
      resetAtMs: period.endMs,
      base: await context.quotaBase(period.startMs),
    };
  }
  return {
    subscriptionId: sub.id,
    nowMs,
    identity: { keyId: context.keyId, appId: context.appId, ...(context.ip ? { ip: context.ip } : {}) },
    windows: planWindows(sub),
    quota,
    failureMode: context.failureMode,
    accuracy: context.accuracy ?? 'EXACT',
  };
}
