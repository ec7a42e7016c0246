import type { ConfigListener } from '@portcullis/db/notify';
import type { SqlRunner } from '@portcullis/db/pg';
import { describeError, type Logger } from '../log.ts';
import { ConfigCache } from './config-cache.ts';
import { startInvalidation } from './invalidation.ts';
import { type ConfigRepository, sqlConfigRepository } from './repository.ts';

export interface GatewayConfig {
  /** straight from Postgres (quota seeds around a Redis outage read it, not the cache) */
  repository: ConfigRepository;
  /** the config cache: APIs, keys, subscriptions, quota bases, AI credentials and prices */
  cache: ConfigCache;
  /** Starts LISTENing for config changes (onGap: also reload what else follows config). */
  listen(onGap: () => void): Promise<ConfigListener>;
}

/** Config from Postgres through the config cache, kept fresh by LISTEN/NOTIFY. */
export function createConfig(options: {
  databaseUrl: string;
  sql: SqlRunner;
  configCacheTtlMs?: number | undefined;
  configWaitMs?: number | undefined;
  log: Logger;
  now: () => number;
}): GatewayConfig {
  const { log, sql } = options;
  const repository = sqlConfigRepository(sql);
  const cache = new ConfigCache(repository, {
    ttlMs: options.configCacheTtlMs ?? 30_000,
    requestWaitMs: options.configWaitMs ?? 1_000,
    now: options.now,
    onRefreshError: (error) =>
      log('warn', 'config refresh failed; serving stale entry', { error: describeError(error) }),
  });
  return {
    repository,
    cache,
    listen: (onGap) => startInvalidation(options.databaseUrl, cache, sql, log, onGap),
  };
}
