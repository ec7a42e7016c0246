import { createPgPool, type SqlWriter, sqlWriter } from '@portcullis/db/pg';
import { type RedisLocation, redisConfigured } from '@portcullis/db/redis';

/** The gateway's connections to Postgres, and where its Redis is (each user makes its own client). */
export interface GatewayInfra {
  /**
   * node-postgres: config reads, readiness, retention, batch writes and the usage of a Redis outage
   * (applyUsageEvents, shared with the metering worker), so nothing on the request path waits behind
   * an ORM's query planning (see createPgPool)
   */
  sql: SqlWriter;
  /** absent: no Redis (single-instance mode, counters and usage in this process) */
  redis: RedisLocation | undefined;
}

/**
 * Opens the Postgres pool and describes Redis. The hot path never waits on Postgres for long: a cut
 * connection fails fast and the caches take over.
 */
export function createInfra(options: {
  databaseUrl: string;
  redisUrl?: string | undefined;
  redisClusterNodes?: { host: string; port: number }[] | undefined;
}): GatewayInfra {
  const timeouts = { connectMs: 2_000, queryMs: 10_000 };
  const location = { url: options.redisUrl, clusterNodes: options.redisClusterNodes };
  const redis = redisConfigured(location) ? location : undefined;
  return {
    sql: sqlWriter(createPgPool(options.databaseUrl, undefined, timeouts)),
    redis,
  };
}
