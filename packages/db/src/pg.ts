import pg from 'pg';

/**
 * A plain node-postgres pool, for the batch writers of a hot process (the gateway's usage, request-log
 * and AI-call-log batches), where Prisma's per-query work — its wasm query compiler copies and walks every
 * parameter on the event loop — costs more than the statement itself and stalls requests behind it.
 * Everything else goes through Prisma (`createDb`).
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

/** Runs one statement with `$1…` placeholders; resolves to the number of rows it affected. */
export interface SqlRunner {
  execute(text: string, values?: readonly unknown[]): Promise<number>;
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
