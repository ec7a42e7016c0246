import type { RedisFailureMode } from '@portcullis/core/policies';
import { Counter } from 'prom-client';
import { metricsRegistry } from '../ops/metrics.ts';
import { LocalFirstLimits } from './local-first.ts';
import { MemoryLimitStore } from './memory.ts';
import type { RedisLimitStore } from './redis.ts';
import type { LimitDecision, LimitRequest, LimitStore } from './types.ts';
import { type PeriodUsageReader, UsageFigures } from './usage-figures.ts';

const degradedTotal = new Counter({
  name: 'gateway_limiter_degraded_total',
  help: 'Requests whose rate limit and quota were decided without Redis, by the API failure mode applied.',
  labelNames: ['mode'] as const,
  registers: [metricsRegistry],
});

/**
 * This instance's share of a request's limits while Redis is away: every limit divided by the number of
 * live gateway instances (learned from the heartbeat set while Redis was up), at least 1. The quota's
 * Postgres base is split the same way, so the instances together stay near the plan's quota.
 */
export function localShare(request: LimitRequest, instances: number): LimitRequest {
  const n = Math.max(1, Math.floor(instances));
  if (n === 1) return request;
  const share = (limit: number) => Math.max(1, Math.floor(limit / n));
  return {
    ...request,
    windows: request.windows.map((window) => ({ ...window, limit: share(window.limit) })),
    quota: request.quota
      ? { ...request.quota, limit: share(request.quota.limit), base: Math.ceil(request.quota.base / n) }
      : null,
  };
}

export interface ResilientLimitStoreOptions {
  /** Called when a Redis call fails (the request is then decided by its failure mode). */
  onError?: (error: unknown) => void;
  /** Reads a period's usage from Postgres: what quota counters start from around an outage. */
  periodUsage?: PeriodUsageReader | undefined;
  /** How long a request waits for that read before going on with the freshest figure known (250 ms). */
  quotaUsageWaitMs?: number | undefined;
  /** During an outage, how often each quota re-reads Postgres for other gateways' usage (5 s). */
  quotaUsageRefreshMs?: number | undefined;
  now?: () => number;
}

const DEFAULT_WAIT_MS = 250;
const DEFAULT_REFRESH_MS = 5_000;
const FAILED_READ_RETRY_MS = 1_000;
// Bounds the per-quota bookkeeping (about 200 bytes an entry); past it the maps start over (a fresh read
// from Postgres then covers the gap).
const MAX_TRACKED = 20_000;

const quotaId = (request: LimitRequest) => `${request.subscriptionId}:${request.quota?.periodStartMs}`;

interface Outage {
  startedAt: number;
  /** Requests this instance admitted locally, per quota counter. */
  admitted: Map<string, number>;
}

interface Recovery {
  /** Figures must come from reads started after Redis came back, to include the outage's usage. */
  since: number;
  /** Per quota counter: what Redis counted before the outage plus what this instance admitted in it. */
  carried: Map<string, number>;
  /** Quota counters already raised to a fresh figure since Redis came back. */
  reseeded: Set<string>;
}

/**
 * Redis in front, the API's `redisFailureMode` behind it. Redis is skipped without waiting while its
 * connection is known to be down (connection state, not timeouts), so an outage costs no latency; the
 * client keeps reconnecting and requests go back to Redis as soon as it is ready again.
 * allow: admit without counting · deny: refuse (503 limiter_unavailable) · local: enforce this
 * instance's share in memory (same algorithm as Redis).
 *
 * Quotas in `local` mode: the config cache's figure of a period's usage may be minutes old, so the
 * in-memory counter is raised, on the first local decision of each outage and then every
 * `quotaUsageRefreshMs`, to the highest lower bound known: a fresh Postgres read (where usage goes while
 * Redis is away, other gateways' included), the count Redis last answered with, the cached figure.
 * When Redis is back, each quota counter there is raised (not merely seeded: it may have survived
 * without the outage's usage, or come back empty) to a fresh figure read after the return, and at least
 * to what Redis had plus what this instance admitted meanwhile. The local counters are dropped, so the
 * next outage starts from fresh figures again.
 */
export class ResilientLimitStore implements LimitStore {
  readonly kind = 'redis' as const;
  private readonly local = new MemoryLimitStore();
  private readonly figures: UsageFigures | undefined;
  private readonly now: () => number;
  /** The quota count Redis last answered with, per quota counter: a floor when it goes away. */
  private readonly redisCounts = new Map<string, number>();
  private outage: Outage | null = null;
  private recovery: Recovery | null = null;
  private seenEpoch: number;
  /** APIs with rateLimitAccuracy LOCAL_FIRST: decided from leases while Redis is healthy. */
  readonly localFirst: LocalFirstLimits;

  constructor(
    readonly redis: RedisLimitStore,
    private readonly options: ResilientLimitStoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.seenEpoch = redis.connectionEpoch;
    this.localFirst = new LocalFirstLimits(redis, { now: this.now, onError: options.onError });
    this.figures = options.periodUsage
      ? new UsageFigures(options.periodUsage, {
          waitMs: options.quotaUsageWaitMs ?? DEFAULT_WAIT_MS,
          retryMs: FAILED_READ_RETRY_MS,
          now: this.now,
          onError: options.onError,
        })
      : undefined;
  }

  async consume(request: LimitRequest): Promise<LimitDecision> {
    // A plan without rate limits or quota has nothing to check or count: no Redis round trip. Only the
    // deny failure mode tells such requests apart (refused while Redis is away), so they still ask.
    if (request.windows.length === 0 && !request.quota && request.failureMode !== 'deny') {
      return { outcome: 'allowed', windows: [], quota: null };
    }
    // Around an outage (local counters, a quota counter not yet re-seeded) requests take the exact path.
    if (request.accuracy === 'LOCAL_FIRST' && this.settled(request)) {
      const decision = await this.localFirst.consume(request);
      if (decision) return decision;
    }
    if (this.redis.available) {
      try {
        if (this.outage || this.redis.connectionEpoch !== this.seenEpoch) this.startRecovery();
        // Only quota counters not yet raised since the return pay for the (bounded) read; others go straight on.
        const reseed =
          this.recovery && request.quota ? this.pendingReseed(request, this.recovery) : undefined;
        const decision = await this.redis.consume(reseed ? await reseed : request);
        // Only an answer from Redis ends an outage: a call that fails again keeps the local counts.
        if (this.outage) this.endOutage();
        if (request.quota && decision.quota) this.remember(request, decision.quota);
        return decision;
      } catch (error) {
        this.options.onError?.(error);
      }
    }
    return this.degraded(request, request.failureMode ?? 'local');
  }

  private settled(request: LimitRequest): boolean {
    if (this.outage || this.redis.connectionEpoch !== this.seenEpoch) return false;
    return !this.recovery || !request.quota || this.recovery.reseeded.has(quotaId(request));
  }

  /** After an outage or a reconnect: the request raising its quota counter to a fresh figure, if it must. */
  private pendingReseed(request: LimitRequest, recovery: Recovery): Promise<LimitRequest> | undefined {
    const id = quotaId(request);
    return recovery.reseeded.has(id) ? undefined : this.reseeded(request, recovery, id);
  }

  private async reseeded(request: LimitRequest, recovery: Recovery, id: string): Promise<LimitRequest> {
    const quota = request.quota as NonNullable<LimitRequest['quota']>;
    const fresh = await this.figures?.fresh(request.subscriptionId, quota.periodStartMs, recovery.since);
    const base = Math.max(quota.base, fresh ?? 0, recovery.carried.get(id) ?? 0);
    // Until a fresh figure is in, every request raises again (a later one will have it).
    if (fresh !== undefined || !this.figures) {
      if (recovery.reseeded.size >= MAX_TRACKED) recovery.reseeded.clear();
      recovery.reseeded.add(id);
      recovery.carried.delete(id);
    }
    return { ...request, quota: { ...quota, base, raise: true } };
  }

  /** Rebuilt on every try while an outage lasts, so it starts from the latest local counts. */
  private startRecovery(): void {
    this.seenEpoch = this.redis.connectionEpoch;
    const carried = new Map<string, number>();
    for (const [id, admitted] of this.outage?.admitted ?? []) {
      carried.set(id, (this.redisCounts.get(id) ?? 0) + admitted);
    }
    this.recovery = { since: this.now(), carried, reseeded: new Set() };
  }

  private endOutage(): void {
    this.outage = null;
    this.local.clear();
  }

  private remember(request: LimitRequest, quota: { limit: number; remaining: number }): void {
    if (this.redisCounts.size >= MAX_TRACKED) this.redisCounts.clear();
    // remaining is clamped at 0, so a used-up quota reads as exactly its limit: still refused locally.
    this.redisCounts.set(quotaId(request), quota.limit - quota.remaining);
  }

  private async degraded(request: LimitRequest, mode: RedisFailureMode): Promise<LimitDecision> {
    degradedTotal.inc({ mode });
    switch (mode) {
      case 'allow':
        return { outcome: 'allowed', windows: [], quota: null, degraded: mode };
      case 'deny':
        return { outcome: 'limiter_unavailable', windows: [], quota: null, degraded: mode };
      case 'local':
        return { ...(await this.decideLocally(request)), degraded: mode };
    }
  }

  private async decideLocally(request: LimitRequest): Promise<LimitDecision> {
    if (!this.outage) {
      this.outage = { startedAt: this.now(), admitted: new Map() };
      this.recovery = null;
      this.local.clear();
    }
    const outage = this.outage;
    const { quota } = request;
    if (!quota) return this.local.consumeNow(localShare(request, this.redis.liveInstances));
    const id = quotaId(request);
    const notBefore = Math.max(
      outage.startedAt,
      this.now() - (this.options.quotaUsageRefreshMs ?? DEFAULT_REFRESH_MS),
    );
    const fresh = await this.figures?.fresh(request.subscriptionId, quota.periodStartMs, notBefore);
    const floor = Math.max(
      quota.base,
      this.redisCounts.get(id) ?? 0,
      fresh ?? this.figures?.latest(request.subscriptionId, quota.periodStartMs) ?? 0,
    );
    const decision = this.local.consumeNow(
      localShare({ ...request, quota: { ...quota, base: floor, raise: true } }, this.redis.liveInstances),
    );
    if (decision.outcome === 'allowed') {
      if (outage.admitted.size >= MAX_TRACKED) outage.admitted.clear();
      outage.admitted.set(id, (outage.admitted.get(id) ?? 0) + 1);
    }
    return decision;
  }

  async close(): Promise<void> {
    await this.localFirst.close();
    await Promise.all([this.redis.close(), this.local.close()]);
  }
}
