import type { LimitScope, RedisFailureMode } from '@portcullis/core/policies';

/**
 * Rate limits (several windows, each with a scope) + the monthly quota, checked and counted in ONE
 * atomic step per request: all-or-nothing, a request refused by any window or by the quota consumes
 * nothing anywhere. Every window is GCRA (exact integer arithmetic on microseconds: one TAT per key),
 * the quota a per-period counter; why GCRA and not a fixed window, a sliding log or a sliding counter:
 * docs/rate-limits.md. The Redis store reads time from Redis (`TIME`) unless told otherwise.
 */
export interface LimitWindowSpec {
  /** Policy name in the RateLimit headers, unique within a request: `w60`, `ip-w60`… */
  name: string;
  limit: number;
  windowSeconds: number;
  scope: LimitScope;
}

export interface LimitRequest {
  subscriptionId: string;
  /** Caller's clock (ms since epoch), so tests can drive time. */
  nowMs: number;
  /** What the key/app/ip scopes count by; absent parts count as one shared "unknown" bucket. */
  identity?: { keyId?: string; appId?: string; ip?: string };
  windows: LimitWindowSpec[];
  quota: {
    limit: number;
    /** Start of the billing period (ms): part of the counter's key, so each period counts afresh. */
    periodStartMs: number;
    /** When the period ends (ms): used for Retry-After, x-quota-reset and the counter's expiry. */
    resetAtMs: number;
    /** Usage already recorded in Postgres for this period: seeds the counter if the store lost it. */
    base: number;
    /**
     * Raise a live counter to at least `base` too (re-seeding around a Redis outage from a fresh figure);
     * otherwise `base` only seeds an absent counter (SET NX).
     */
    raise?: boolean;
  } | null;
  /** What to do when the shared store is unreachable (per API policy; only the resilient store reads it). */
  failureMode?: RedisFailureMode;
  /**
   * Api.rateLimitAccuracy: EXACT (default) asks Redis on every request; LOCAL_FIRST decides in process
   * from a leased share (see local-first.ts), which may overshoot a window by its stated bound.
   */
  accuracy?: RateLimitAccuracy;
}

export type RateLimitAccuracy = 'EXACT' | 'LOCAL_FIRST';

export type LimitOutcome = 'allowed' | 'rate_limited' | 'quota_exceeded' | 'limiter_unavailable';

interface LimitState {
  limit: number;
  remaining: number;
  /** Milliseconds until the state is fully reset (window refilled / period over). */
  resetMs: number;
}

export interface WindowState extends LimitState {
  name: string;
  windowSeconds: number;
  scope: LimitScope;
  /** Milliseconds until this window would admit the request; 0 when it did not refuse it. */
  retryAfterMs: number;
}

export interface LimitDecision {
  outcome: LimitOutcome;
  windows: WindowState[];
  quota: LimitState | null;
  /** Set when the decision was made without the shared store, by that failure mode. */
  degraded?: RedisFailureMode;
}

export interface LimitStore {
  readonly kind: 'redis' | 'memory';
  /** Admits and counts the request only if every window and the quota allow it. */
  consume(request: LimitRequest): Promise<LimitDecision>;
  close(): Promise<void>;
}

/** GCRA parameters in integer microseconds; capacity ≥ window so a full burst of `limit` always fits. */
export function gcraParams(window: { limit: number; windowSeconds: number }): {
  intervalUs: number;
  capacityUs: number;
} {
  const intervalUs = Math.ceil((window.windowSeconds * 1_000_000) / window.limit);
  return { intervalUs, capacityUs: intervalUs * window.limit };
}

export const toMicros = (ms: number) => Math.round(ms * 1000);

/** Does a request at `nowUs` conform, given the window's TAT already raised to at least `nowUs`? */
export function conforms(tatUs: number, nowUs: number, window: { limit: number; windowSeconds: number }) {
  const { intervalUs, capacityUs } = gcraParams(window);
  return tatUs + intervalUs - nowUs <= capacityUs;
}

/**
 * The decision both stores return, from the quota counter and each window's TAT before this request
 * (already raised to `now`). Shared so the two stores answer identically for identical state.
 */
export function decide(
  request: LimitRequest,
  outcome: LimitOutcome,
  quotaUsed: number,
  tatsBeforeUs: number[],
): LimitDecision {
  const nowUs = toMicros(request.nowMs);
  const windows = request.windows.map((window, i): WindowState => {
    const { intervalUs, capacityUs } = gcraParams(window);
    const before = Math.max(tatsBeforeUs[i] ?? nowUs, nowUs);
    const tat = outcome === 'allowed' ? before + intervalUs : before;
    const refusing = outcome === 'rate_limited' && before + intervalUs - nowUs > capacityUs;
    return {
      name: window.name,
      windowSeconds: window.windowSeconds,
      scope: window.scope,
      limit: window.limit,
      remaining: Math.max(0, Math.floor((capacityUs - (tat - nowUs)) / intervalUs)),
      resetMs: Math.ceil((tat - nowUs) / 1000),
      retryAfterMs: refusing ? Math.ceil((before + intervalUs - capacityUs - nowUs) / 1000) : 0,
    };
  });
  const { quota } = request;
  return {
    outcome,
    windows,
    quota: quota
      ? {
          limit: quota.limit,
          remaining: Math.max(0, quota.limit - quotaUsed),
          resetMs: Math.max(0, quota.resetAtMs - request.nowMs),
        }
      : null,
  };
}

function scopeSegment(request: LimitRequest, window: LimitWindowSpec): string {
  const id = request.identity;
  switch (window.scope) {
    case 'subscription':
      return '';
    case 'key':
      return `key:${id?.keyId ?? 'unknown'}:`;
    case 'app':
      return `app:${id?.appId ?? 'unknown'}:`;
    case 'ip':
      return `ip:${id?.ip ?? 'unknown'}:`;
  }
}

/**
 * Every key of one request shares the `{sub:<id>}` hash tag, so the one script touches one Redis
 * Cluster slot. Key/app/ip windows therefore live inside the subscription's tag: a key-scoped window
 * counts one key's requests to this API (a subscription is one app × one API's plan). The limit is part
 * of a window key because two windows of equal length but different limits need separate TATs.
 */
export function limitKeys(prefix: string, request: LimitRequest): { quota: string; windows: string[] } {
  const tag = `${prefix}{sub:${request.subscriptionId}}`;
  return {
    quota: request.quota ? `${tag}:q:${request.quota.periodStartMs}` : `${tag}:q:none`,
    windows: request.windows.map(
      (window) => `${tag}:${scopeSegment(request, window)}w${window.windowSeconds}:l${window.limit}`,
    ),
  };
}

// Quota counters outlive their period by a day so a late request near the boundary still finds its counter.
export const QUOTA_GRACE_MS = 86_400_000;
