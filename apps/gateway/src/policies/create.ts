import { type Logger, throttledWarn } from '../log.ts';
import { ResponseCacheStore } from '../response-cache/store.ts';
import { PolicyEngine } from './engine.ts';

/** Per-API request policies and the response cache (in-process, with Redis as L2 on a single server). */
export function createPolicies(options: {
  trustedProxies?: readonly string[] | undefined;
  /** in-process response cache bound (default 50 MB) */
  responseCacheMaxBytes?: number | undefined;
  /** a single Redis server; the response cache has no L2 without one */
  redisUrl?: string | undefined;
  redisKeyPrefix?: string | undefined;
  log: Logger;
  now: () => number;
}): PolicyEngine {
  const { log, now } = options;
  return new PolicyEngine({
    trustedProxies: options.trustedProxies ?? [],
    cache: new ResponseCacheStore({
      maxBytes: options.responseCacheMaxBytes ?? 50 * 1024 * 1024,
      now,
      redis: options.redisUrl
        ? { url: options.redisUrl, keyPrefix: options.redisKeyPrefix ?? 'portcullis:' }
        : undefined,
      onError: throttledWarn(log, 'response cache (Redis L2) failed; serving without it'),
    }),
    log,
    now,
  });
}
