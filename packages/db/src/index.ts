import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/client.ts';
import { readDbEnv, requireDatabaseUrl } from './env.ts';
import type { SqlRunner } from './pg.ts';
import { createReadReplicaDb } from './read-replica.ts';

export * from '../generated/client.ts';
export { requireDatabaseUrl } from './env.ts';
export { createReadReplicaDb } from './read-replica.ts';

export type Db = PrismaClient;
/** A Prisma transaction client: what domain verbs receive inside `db.$transaction`. */
export type Tx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

export interface DbTimeouts {
  /** give up opening a connection after this long */
  connectMs?: number;
  /** fail a query (client side) after this long, e.g. when its connection was cut mid-flight */
  queryMs?: number;
}

export function createDb(
  url: string = requireDatabaseUrl(),
  poolSize = readDbEnv().DATABASE_POOL_SIZE,
  timeouts: DbTimeouts = {},
): Db {
  return new PrismaClient({
    adapter: new PrismaPg({
      connectionString: url,
      max: poolSize,
      connectionTimeoutMillis: timeouts.connectMs,
      query_timeout: timeouts.queryMs,
    }),
  });
}

const globalForDb = globalThis as unknown as {
  portcullisDb?: Db;
  portcullisReadDb?: { url: string; db: Db };
};

/** One client per process (Next.js dev reloads modules; the global keeps one pool). */
export function getDb(): Db {
  globalForDb.portcullisDb ??= createDb();
  return globalForDb.portcullisDb;
}

/** A replica that drops packets instead of refusing them is given up on after this long. */
const REPLICA_CONNECT_TIMEOUT_MS = 5_000;

/**
 * The client for reads a streaming replica at `url` may serve (a few ms to seconds behind the primary),
 * one per process, created on first use with the primary's factory and pool size, plus a connect
 * timeout. Falls back to `getDb()` while the replica is unavailable (see createReadReplicaDb).
 */
export function getReadDb(url: string): Db {
  const current = globalForDb.portcullisReadDb;
  if (current?.url === url) return current.db;
  const db = createReadReplicaDb(url, {
    primary: getDb(),
    connect: (replicaUrl) => createDb(replicaUrl, undefined, { connectMs: REPLICA_CONNECT_TIMEOUT_MS }),
  });
  globalForDb.portcullisReadDb = { url, db };
  return db;
}

/**
 * Prisma as a SqlRunner, for SQL written once for both clients (the usage writers in @portcullis/usage
 * run in the gateway over node-postgres and in the metering worker over Prisma). Unlike node-postgres,
 * Prisma returns bigint columns as bigint and numeric ones as Decimal.
 */
export function prismaSqlRunner(db: Db | Tx): SqlRunner {
  return {
    execute: (text, values = []) => db.$executeRawUnsafe(text, ...values),
    rows: <T>(text: string, values: readonly unknown[] = []) => db.$queryRawUnsafe<T[]>(text, ...values),
  };
}
