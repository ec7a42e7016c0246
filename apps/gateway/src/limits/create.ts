import { describeError, type Logger } from '../log.ts';
import { MemoryLimitStore } from './memory.ts';
import { RedisLimitStore } from './redis.ts';
import { ResilientLimitStore } from './resilient.ts';
import type { LimitStore } from './types.ts';
import type { PeriodUsageReader } from './usage-figures.ts';

export interface LimitStoreOptions {
  redisUrl?: string | undefined;
  /** When non-empty, Redis Cluster (takes precedence over redisUrl). */
  redisClusterNodes?: { host: string; port: number }[] | undefined;
  redisKeyPrefix?: string | undefined;
  /** A quota period's usage read from Postgres (around a Redis outage; see ResilientLimitStore). */
  periodUsage?: PeriodUsageReader;
  quotaUsage?: { waitMs?: number; refreshMs?: number } | undefined;
  log: Logger;
}

// Startup gives Redis this long to connect; after that, the APIs' failure modes apply until it does.
const STARTUP_CONNECT_MS = 2_000;

/** Redis (single or cluster) behind the per-API failure modes, or memory when Redis is not configured. */
export async function createLimitStore(options: LimitStoreOptions): Promise<LimitStore> {
  const { log } = options;
  if (!options.redisUrl && !options.redisClusterNodes?.length) {
    log(
      'warn',
      'REDIS_URL is not set: rate-limit and quota counters are IN MEMORY (correct for one instance only)',
    );
    return new MemoryLimitStore();
  }
  const redis = new RedisLimitStore({
    ...(options.redisClusterNodes?.length
      ? { clusterNodes: options.redisClusterNodes }
      : { url: options.redisUrl }),
    ...(options.redisKeyPrefix ? { keyPrefix: options.redisKeyPrefix } : {}),
    heartbeat: true,
  });
  await redis.ready(STARTUP_CONNECT_MS).catch((error: unknown) =>
    log('warn', 'Redis not reachable at startup; APIs follow their redisFailureMode until it is', {
      error: describeError(error),
    }),
  );
  let lastLoggedAt = 0;
  return new ResilientLimitStore(redis, {
    periodUsage: options.periodUsage,
    quotaUsageWaitMs: options.quotaUsage?.waitMs,
    quotaUsageRefreshMs: options.quotaUsage?.refreshMs,
    onError: (error) => {
      // One line per second at most: during an outage every request would otherwise log.
      if (Date.now() - lastLoggedAt < 1_000) return;
      lastLoggedAt = Date.now();
      log('warn', 'limits store failed; deciding by redisFailureMode', { error: describeError(error) });
    },
  });
}
