import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';

/** Where Redis is: one server, or a Cluster (its seed nodes take precedence over the URL). */
export interface RedisLocation {
  /** REDIS_URL; default redis://127.0.0.1:6379 */
  url?: string | undefined;
  /** REDIS_CLUSTER_NODES; when non-empty, a Cluster client is made and `url` is ignored */
  clusterNodes?: readonly { host: string; port: number }[] | undefined;
}

/** Connection behaviour, which differs per user (limits, usage stream, AI budgets, caches, metering). */
export interface RedisClientOptions extends RedisLocation {
  /** Options of each server connection (every node's, on a Cluster): timeouts, retries, pipelining. */
  command?: Pick<RedisOptions, 'commandTimeout' | 'maxRetriesPerRequest' | 'enableAutoPipelining'>;
  /** false: while disconnected, commands fail at once instead of waiting for a reconnect */
  enableOfflineQueue?: boolean;
  /** reconnect backoff (ms before attempt `times`); a Cluster's clusterRetryStrategy */
  retryStrategy?: (times: number) => number;
  /** Namespace for every key. */
  keyPrefix?: string | undefined;
  lazyConnect?: boolean;
  /** Cluster only: how long a slots refresh may take */
  slotsRefreshTimeout?: number;
  /** Connection errors (they also surface on the commands that hit them); default: ignored */
  onError?: (error: Error) => void;
}

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** True when a Redis server or Cluster is configured. */
export const redisConfigured = (location: RedisLocation): boolean =>
  Boolean(location.url || location.clusterNodes?.length);

/** The one place Redis clients are made: a single server or a Cluster, from the same options. */
export function createRedis(options: RedisClientOptions): Redis | Cluster {
  const shared = {
    ...(options.enableOfflineQueue === undefined ? {} : { enableOfflineQueue: options.enableOfflineQueue }),
    ...(options.keyPrefix ? { keyPrefix: options.keyPrefix } : {}),
    ...(options.lazyConnect === undefined ? {} : { lazyConnect: options.lazyConnect }),
  };
  const client = options.clusterNodes?.length
    ? new Cluster([...options.clusterNodes], {
        ...shared,
        ...(options.retryStrategy ? { clusterRetryStrategy: options.retryStrategy } : {}),
        ...(options.slotsRefreshTimeout === undefined
          ? {}
          : { slotsRefreshTimeout: options.slotsRefreshTimeout }),
        redisOptions: { ...options.command },
      } satisfies ClusterOptions)
    : new Redis(options.url ?? DEFAULT_REDIS_URL, {
        ...options.command,
        ...shared,
        ...(options.retryStrategy ? { retryStrategy: options.retryStrategy } : {}),
      } satisfies RedisOptions);
  client.on('error', options.onError ?? (() => undefined));
  return client;
}
