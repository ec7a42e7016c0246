import { createDb, type Db } from '@portcullis/db';
import { createPgPool, type SqlWriter, sqlWriter } from '@portcullis/db/pg';
import { type RedisLocation, redisConfigured } from '@portcullis/db/redis';

/** The gateway's connections to Postgres, and where its Redis is (each user makes its own client). */
export interface GatewayInfra {
  /**
   * node-postgres: config reads, readiness, retention and batch writes, so nothing on the request path
   * waits behind an ORM's query planning (see createPgPool)
   */
  sql: SqlWriter;
  /**
   * Prisma, created on first use: only a Redis outage sends usage to Postgres this way
   * (applyUsageEvents, shared with the metering worker)
   */
  db(): Db;
  /** absent: no Redis (single-instance mode, counters and usage in this process) */
  redis: RedisLocation | undefined;
  /** Closes what this module opened (a Prisma client passed in stays open). */
  closePrisma(): Promise<void>;
}

/**
 * Opens the Postgres pool and describes Redis. The hot path never waits on Postgres for long: a cut
 * connection fails fast and the caches take over.
 */
export function createInfra(options: {
  databaseUrl: string;
  redisUrl?: string | undefined;
  redisClusterNodes?: { host: string; port: number }[] | undefined;
  /** reuse a Prisma client (it is then not disconnected on close) */
  db?: Db | undefined;
}): GatewayInfra {
  const timeouts = { connectMs: 2_000, queryMs: 10_000 };
  let prisma = options.db;
  const ownsDb = options.db === undefined;
  const location = { url: options.redisUrl, clusterNodes: options.redisClusterNodes };
  const redis = redisConfigured(location) ? location : undefined;
  return {
    sql: sqlWriter(createPgPool(options.databaseUrl, undefined, timeouts)),
    db: () => {
      prisma ??= createDb(options.databaseUrl, undefined, timeouts);
      return prisma;
    },
    redis,
    closePrisma: async () => {
      if (ownsDb && prisma) await prisma.$disconnect();
    },
  };
}
