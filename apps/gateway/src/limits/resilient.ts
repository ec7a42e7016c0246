import type { RedisFailureMode } from '@portcullis/core/policies';
import { Counter } from 'prom-client';
import { metricsRegistry } from '../ops/metrics.ts';
import { MemoryLimitStore } from './memory.ts';
import type { RedisLimitStore } from './redis.ts';
import type { LimitDecision, LimitRequest, LimitStore } from './types.ts';

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
}

/**
 * Redis in front, the API's `redisFailureMode` behind it. Redis is skipped without waiting while its
 * connection is known to be down (connection state, not timeouts), so an outage costs no latency; the
 * client keeps reconnecting and requests go back to Redis as soon as it is ready again.
 * allow: admit without counting · deny: refuse (503 limiter_unavailable) · local: enforce this
 * instance's share in memory (same algorithm as Redis).
 */
export class ResilientLimitStore implements LimitStore {
  readonly kind = 'redis' as const;
  private readonly local = new MemoryLimitStore();

  constructor(
    readonly redis: RedisLimitStore,
    private readonly options: ResilientLimitStoreOptions = {},
  ) {}

  async consume(request: LimitRequest): Promise<LimitDecision> {
    if (this.redis.available) {
      try {
        return await this.redis.consume(request);
      } catch (error) {
        this.options.onError?.(error);
      }
    }
    return this.degraded(request, request.failureMode ?? 'local');
  }

  private degraded(request: LimitRequest, mode: RedisFailureMode): LimitDecision {
    degradedTotal.inc({ mode });
    switch (mode) {
      case 'allow':
        return { outcome: 'allowed', windows: [], quota: null, degraded: mode };
      case 'deny':
        return { outcome: 'limiter_unavailable', windows: [], quota: null, degraded: mode };
      case 'local':
        return {
          ...this.local.consumeNow(localShare(request, this.redis.liveInstances)),
          degraded: mode,
        };
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.redis.close(), this.local.close()]);
  }
}
