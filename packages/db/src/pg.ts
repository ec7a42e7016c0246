import pg from 'pg';

/**
 * A plain node-postgres pool, for the few bulk writes on a hot process where Prisma's per-query work
 * (its wasm query compiler copies and walks every parameter) costs more than the statement itself — the
 * gateway's request-log batches. Everything else goes through Prisma (`createDb`).
 */
export function createPgPool(
  url: string,
  max: number,
  timeouts: { connectMs?: number; queryMs?: number } = {},
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: timeouts.connectMs,
    query_timeout: timeouts.queryMs,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

export type PgPool = pg.Pool;
