import pg from 'pg';

/**
 * Config changes travel from the portal to every gateway as Postgres NOTIFY on one channel.
 * NOTIFY is transactional: sent inside a mutation's transaction, it is delivered only on commit.
 */
export const CONFIG_CHANNEL = 'portcullis_config';

export type ConfigChange =
  | { kind: 'key'; hash: string }
  | { kind: 'subscription'; id: string }
  | { kind: 'api'; id: string }
  | { kind: 'plan'; id: string }
  | { kind: 'providerCredential'; id: string }
  | { kind: 'aiPrice'; id: string };

export function configNotifySql(change: ConfigChange): { sql: string; args: [string, string] } {
  return { sql: 'SELECT pg_notify($1, $2)', args: [CONFIG_CHANNEL, JSON.stringify(change)] };
}

export interface ConfigListener {
  close(): Promise<void>;
}

/** Listens for config changes; reconnects with backoff and calls onReset after a gap (events may be lost). */
export function listenConfigChanges(
  databaseUrl: string,
  onChange: (change: ConfigChange) => void,
  onReset: () => void,
): ConfigListener {
  let closed = false;
  let client: pg.Client | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  const connect = async (attempt: number): Promise<void> => {
    if (closed) return;
    const c = new pg.Client({ connectionString: databaseUrl });
    client = c;
    const retry = () => {
      c.removeAllListeners();
      c.end().catch(() => undefined);
      if (closed) return;
      onReset();
      retryTimer = setTimeout(() => void connect(attempt + 1), Math.min(5000, 100 * 2 ** attempt));
    };
    c.on('error', retry);
    c.on('notification', (msg) => {
      if (!msg.payload) return;
      try {
        onChange(JSON.parse(msg.payload) as ConfigChange);
      } catch {
        onReset();
      }
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${CONFIG_CHANNEL}`);
      if (attempt > 0) onReset();
    } catch {
      retry();
    }
  };
  void connect(0);
  return {
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      await client?.end().catch(() => undefined);
    },
  };
}
