/**
 * Rate limit + monthly quota, checked and counted in ONE atomic step per request.
 *
 * Algorithm: fixed window for the rate limit, a per-period counter for the quota.
 * Why fixed window: it counts exactly (no approximation, so no overshoot across gateway instances
 * sharing Redis), needs one small counter per subscription and window, gives an exact reset time for
 * `RateLimit: t=` and `Retry-After`, and is the same arithmetic for the monthly quota. Its known cost —
 * up to 2× the limit in a burst straddling a window boundary — is acceptable for API plans; a sliding
 * window log would need O(limit) memory per subscription and GCRA cannot share a script with a quota
 * counter as simply.
 */
export interface LimitRequest {
  subscriptionId: string;
  /** Caller's clock (ms since epoch): windows are numbered from it, so tests can drive time. */
  nowMs: number;
  rate: { limit: number; windowSeconds: number } | null;
  quota: {
    limit: number;
    /** Identifies the billing period, e.g. `2026-11`. */
    period: string;
    /** When the period ends (ms): used for Retry-After and the counter's expiry. */
    resetAtMs: number;
    /** Usage already recorded in Postgres for this period: seeds the counter if the store lost it. */
    base: number;
  } | null;
}

export type LimitOutcome = 'allowed' | 'rate_limited' | 'quota_exceeded';

export interface LimitState {
  limit: number;
  remaining: number;
  /** Milliseconds until the window/period resets. */
  resetMs: number;
}

export interface LimitDecision {
  outcome: LimitOutcome;
  rate: LimitState | null;
  quota: LimitState | null;
}

export interface LimitStore {
  readonly kind: 'redis' | 'memory';
  /** Admits and counts the request only if BOTH the rate limit and the quota allow it. */
  consume(request: LimitRequest): Promise<LimitDecision>;
  close(): Promise<void>;
}

export function windowBounds(nowMs: number, windowSeconds: number): { index: number; endMs: number } {
  const windowMs = windowSeconds * 1000;
  const index = Math.floor(nowMs / windowMs);
  return { index, endMs: (index + 1) * windowMs };
}

/** Shared by both stores so their answers are identical for identical counter values. */
export function decide(
  request: LimitRequest,
  outcome: LimitOutcome,
  rateUsed: number,
  quotaUsed: number,
): LimitDecision {
  const { rate, quota, nowMs } = request;
  return {
    outcome,
    rate: rate
      ? {
          limit: rate.limit,
          remaining: Math.max(0, rate.limit - rateUsed),
          resetMs: windowBounds(nowMs, rate.windowSeconds).endMs - nowMs,
        }
      : null,
    quota: quota
      ? {
          limit: quota.limit,
          remaining: Math.max(0, quota.limit - quotaUsed),
          resetMs: quota.resetAtMs - nowMs,
        }
      : null,
  };
}

/** Keys share the `{sub:<id>}` hash tag so one script touches one Redis Cluster slot. */
export function limitKeys(prefix: string, request: LimitRequest): { window: string; quota: string } {
  const tag = `{sub:${request.subscriptionId}}`;
  const window = request.rate
    ? `${prefix}${tag}:rl:${request.rate.windowSeconds}:${windowBounds(request.nowMs, request.rate.windowSeconds).index}`
    : `${prefix}${tag}:rl:none`;
  const quota = request.quota ? `${prefix}${tag}:q:${request.quota.period}` : `${prefix}${tag}:q:none`;
  return { window, quota };
}
