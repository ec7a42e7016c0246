import pg from 'pg';
import { readDbEnv } from './env.ts';

/**
 * A plain node-postgres pool, for the gateway's hot process: its config reads and its batch writers
 * (usage, request-log and AI-call-log batches). There, Prisma's per-query work — its wasm query compiler
 * plans each query and walks every parameter on the event loop, ≈ 10 ms for a route read on a 2-core
 * machine — costs more than the statement itself and stalls the requests behind it. The portal and the
 * worker use Prisma (`createDb`).
 */
export function createPgPool(
  url: string,
  /** connections at most (default DATABASE_POOL_SIZE) */
  max: number = readDbEnv().DATABASE_POOL_SIZE,
  timeouts: { connectMs?: number; queryMs?: number } = {},
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: timeouts.connectMs,
    query_timeout: timeouts.queryMs,
    // Idle connections stay open (node-postgres closes them after 10 s by default): the config refresh
    // every 30 s would otherwise open fresh ones, and each costs Postgres a backend fork and the gateway
    // a handshake, on the same cores as the requests in flight.
    idleTimeoutMillis: 0,
    keepAlive: true,
  });
  // A client losing its connection must not crash the process: idle ones are reported to the pool's
  // 'error' (and dropped by it); a checked-out one between two statements of a transaction would throw
  // from its own 'error' event without this listener — its next statement fails instead, and
  // `transaction` destroys it. The next query reconnects.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return pool;
}

export type PgPool = pg.Pool;

/** Statements with `$1…` placeholders (json/jsonb columns arrive parsed, numeric and bigint as text). */
export interface SqlRunner {
  /** Resolves to the number of rows the statement affected. */
  execute(text: string, values?: readonly unknown[]): Promise<number>;
  /** Resolves to the rows the statement returned. */
  rows<T>(text: string, values?: readonly unknown[]): Promise<T[]>;
}

/** Statements and transactions over a node-postgres pool. */
export interface SqlWriter extends SqlRunner {
  /** BEGIN … COMMIT on one pooled connection; ROLLBACK, and the error rethrown, when `fn` throws. */
  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const runnerOf = (client: pg.Pool | pg.PoolClient): SqlRunner => ({
  async execute(text, values) {
    const result = await client.query(text, values as unknown[] | undefined);
    return result.rowCount ?? 0;
  },
  async rows<T>(text: string, values?: readonly unknown[]) {
    const result = await client.query(text, values as unknown[] | undefined);
    return result.rows as T[];
  },
});

export function sqlWriter(pool: pg.Pool): SqlWriter {
  return {
    ...runnerOf(pool),
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await fn(runnerOf(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          broken = rollbackError; // the connection is unusable: destroy it instead of pooling it
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
