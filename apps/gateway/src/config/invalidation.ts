import { randomUUID } from 'node:crypto';
import {
  type ConfigChange,
  type ConfigListener,
  configNotifySql,
  listenConfigChanges,
} from '@portcullis/db/notify';
import type { SqlRunner } from '@portcullis/db/pg';
import type { Logger } from '../log.ts';
import type { ConfigCache } from './config-cache.ts';

// Startup waits this long for its own probe NOTIFY, proving invalidation works before traffic arrives.
const LISTENER_READY_TIMEOUT_MS = 5_000;

/** LISTENs for config changes and applies them to the config cache; after a gap, everything revalidates. */
export async function startInvalidation(
  databaseUrl: string,
  cache: ConfigCache,
  runner: SqlRunner,
  log: Logger,
  onGap: () => void = () => undefined, // the SSRF allow-list reloads after a gap too
): Promise<ConfigListener> {
  const probeId = `__probe__${randomUUID()}`;
  let ready: () => void = () => undefined;
  const probed = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const listener = listenConfigChanges(
    databaseUrl,
    (change: ConfigChange) => {
      if (change.kind === 'api' && change.id === probeId) return ready();
      cache.apply(change);
    },
    () => {
      // Kept as fallback: while Postgres is down the gateway serves its last snapshot (config/swr-cache.ts).
      log('warn', 'config listener gap; revalidating cached config');
      cache.expireAll();
      onGap();
    },
  );
  // LISTEN connects asynchronously: keep sending the probe until it comes back, proving the channel is live.
  const probe = configNotifySql({ kind: 'api', id: probeId });
  let timedOut = false;
  const deadline = setTimeout(() => {
    timedOut = true;
  }, LISTENER_READY_TIMEOUT_MS);
  let live = false;
  void probed.then(() => {
    live = true;
  });
  while (!live && !timedOut) {
    await runner.execute(probe.sql, probe.args).catch(() => undefined);
    await Promise.race([probed, new Promise((resolve) => setTimeout(resolve, 50))]);
  }
  clearTimeout(deadline);
  if (!live) log('warn', 'config listener not confirmed yet; relying on cache TTL until it connects');
  return listener;
}
