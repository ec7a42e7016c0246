import type { ConfigListener } from '@portcullis/db/notify';
import type { SqlRunner } from '@portcullis/db/pg';
import { describeError, type Logger } from '../log.ts';
import { type CacheFigures, trackCaches } from '../ops/cache-metrics.ts';
import { CONFIG_CACHE_STORES, ConfigCache, type ConfigCacheBudgets } from './config-cache.ts';
import { startInvalidation } from './invalidation.ts';
import { type ConfigRepository, sqlConfigRepository } from './repository.ts';

export interface GatewayConfig {
  /** straight from Postgres (quota seeds around a Redis outage read it, not the cache) */
  repository: ConfigRepository;
  /** the config cache: APIs, keys, subscriptions, quota bases, AI credentials and prices */
  cache: ConfigCache;
  /** Starts LISTENing for config changes (onGap: also reload what else follows config). */
  listen(onGap: () => void): Promise<ConfigListener>;
  /** Stops reporting the cache in the gateway_cache_* gauges. */
  untrack(): void;
}

/** The config cache's stores in the gateway_cache_* gauges; unknown keys as `<store>_unknown`. */
function configCacheFigures(cache: ConfigCache): CacheFigures[] {
  const usage = cache.usage();
  const budgets = cache.budgets();
  return CONFIG_CACHE_STORES.flatMap((store) => [
    {
      cache: store,
      bytes: usage[store].bytes,
      entries: usage[store].entries,
      budgetBytes: budgets[store].bytes,
    },
    {
      cache: `${store}_unknown`,
      bytes: usage[store].negativeBytes,
      entries: usage[store].negativeEntries,
      budgetBytes: budgets[store].negativeBytes,
    },
  ]);
}

/** Config from Postgres through the config cache, kept fresh by LISTEN/NOTIFY. */
export function createConfig(options: {
  databaseUrl: string;
  sql: SqlRunner;
  configCacheTtlMs?: number | undefined;
  configWaitMs?: number | undefined;
  /** byte bounds of the config cache's stores (GATEWAY_*_CACHE_MAX_BYTES) */
  configCacheBudgets?: Partial<ConfigCacheBudgets> | undefined;
  log: Logger;
  now: () => number;
}): GatewayConfig {
  const { log, sql } = options;
  const repository = sqlConfigRepository(sql);
  const cache = new ConfigCache(repository, {
    ttlMs: options.configCacheTtlMs ?? 30_000,
    requestWaitMs: options.configWaitMs ?? 1_000,
    budgets: options.configCacheBudgets,
    now: options.now,
    onRefreshError: (error) =>
      log('warn', 'config refresh failed; serving stale entry', { error: describeError(error) }),
  });
  const untrack = trackCaches(() => configCacheFigures(cache));
  return {
    repository,
    cache,
    listen: (onGap) => startInvalidation(options.databaseUrl, cache, sql, log, onGap),
    untrack,
  };
}
