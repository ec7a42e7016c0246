import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDb, type Db } from '@portcullis/db';
import {
  type ConfigChange,
  type ConfigListener,
  configNotifySql,
  listenConfigChanges,
} from '@portcullis/db/notify';
import { ConfigCache } from './config/config-cache.ts';
import { prismaConfigRepository } from './config/repository.ts';
import { createHandler } from './handler.ts';
import { problem, problemBody } from './http/problem.ts';
import { MemoryLimitStore } from './limits/memory.ts';
import { RedisLimitStore } from './limits/redis.ts';
import type { LimitStore } from './limits/types.ts';
import { describeError, jsonLogger, type Logger } from './log.ts';
import { UpstreamClient } from './upstream/proxy.ts';
import { UsageMeter } from './usage/meter.ts';

export interface GatewayOptions {
  databaseUrl: string;
  /** Absent: counters live in this process only (single-instance mode). */
  redisUrl?: string | undefined;
  /** 0 picks a free port. Default 8080. */
  port?: number;
  host?: string;
  keyCacheTtlMs?: number;
  usageFlushIntervalMs?: number;
  upstreamTimeoutMs?: number;
  /** Namespace for Redis keys; tests pass a unique one per run. */
  redisKeyPrefix?: string;
  /** How long close() waits for in-flight requests before cutting connections. */
  drainTimeoutMs?: number;
  /** Reuse a Prisma client (it is then not disconnected on close). */
  db?: Db;
  log?: Logger;
  now?: () => number;
}

export interface RunningGateway {
  url: string;
  port: number;
  /** Stops accepting, finishes in-flight requests, flushes usage, releases connections. */
  close(): Promise<void>;
  /** Writes buffered usage to Postgres now (tests and shutdown). */
  flushUsage(): Promise<void>;
  readonly limitStore: 'redis' | 'memory';
}

// Startup waits this long for its own probe NOTIFY, proving invalidation works before traffic arrives.
const LISTENER_READY_TIMEOUT_MS = 5_000;

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const log = options.log ?? jsonLogger;
  const now = options.now ?? Date.now;
  const ownsDb = options.db === undefined;
  const db = options.db ?? createDb(options.databaseUrl);

  const limits: LimitStore = options.redisUrl
    ? new RedisLimitStore({
        url: options.redisUrl,
        ...(options.redisKeyPrefix ? { keyPrefix: options.redisKeyPrefix } : {}),
      })
    : new MemoryLimitStore();
  if (!options.redisUrl) {
    log(
      'warn',
      'REDIS_URL is not set: rate-limit and quota counters are IN MEMORY (correct for one instance only)',
    );
  }

  const cache = new ConfigCache(prismaConfigRepository(db), {
    ttlMs: options.keyCacheTtlMs ?? 30_000,
    now,
    onRefreshError: (error) =>
      log('warn', 'config refresh failed; serving stale entry', { error: describeError(error) }),
  });

  const listener = await startInvalidation(options.databaseUrl, cache, db, log);
  const meter = new UsageMeter(db, {
    flushIntervalMs: options.usageFlushIntervalMs ?? 500,
    now,
    onFlushError: (error, batchId) =>
      log('error', 'usage flush failed; batch kept for retry', { batchId, error: describeError(error) }),
  });
  meter.start();
  const upstream = new UpstreamClient({ timeoutMs: options.upstreamTimeoutMs ?? 30_000 });

  const server = createServer(
    { requestTimeout: 0, keepAliveTimeout: 5_000 },
    createHandler({
      db,
      cache,
      limits,
      upstream,
      meter,
      log,
      now,
      onInfraError: (what, error) => log('error', `${what} store failed`, { error: describeError(error) }),
    }),
  );
  server.on('clientError', (_error, socket) => {
    // Unparseable HTTP: answer with problem+json too, then hang up.
    if (!socket.writable) return;
    const requestId = randomUUID();
    const body = JSON.stringify(
      problemBody(problem('bad_request', 'The request is not valid HTTP.'), requestId),
    );
    socket.end(
      `HTTP/1.1 400 Bad Request\r\ncontent-type: application/problem+json\r\nx-request-id: ${requestId}\r\n` +
        `connection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
  await listen(server, options.port ?? 8080, options.host ?? '127.0.0.1');
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log('info', 'gateway listening', { url, limitStore: limits.kind });

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    limitStore: limits.kind,
    flushUsage: () => meter.flush(),
    close() {
      closing ??= (async () => {
        await drain(server, options.drainTimeoutMs ?? 10_000);
        await meter.close();
        await Promise.all([listener.close(), limits.close(), upstream.close()]);
        if (ownsDb) await db.$disconnect();
        log('info', 'gateway stopped', {
          droppedLogs: meter.droppedLogCount,
          unflushedBatches: meter.pendingBatches,
        });
      })();
      return closing;
    },
  };
}

async function startInvalidation(
  databaseUrl: string,
  cache: ConfigCache,
  db: Db,
  log: Logger,
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
      log('warn', 'config listener reconnected; clearing caches');
      cache.reset();
    },
  );
  // LISTEN connects asynchronously: keep sending the probe until it comes back, proving the channel is live.
  const { sql, args } = configNotifySql({ kind: 'api', id: probeId });
  let timedOut = false;
  const deadline = setTimeout(() => {
    timedOut = true;
  }, LISTENER_READY_TIMEOUT_MS);
  let live = false;
  void probed.then(() => {
    live = true;
  });
  while (!live && !timedOut) {
    await db.$executeRawUnsafe(sql, ...args).catch(() => undefined);
    await Promise.race([probed, new Promise((resolve) => setTimeout(resolve, 50))]);
  }
  clearTimeout(deadline);
  if (!live) log('warn', 'config listener not confirmed yet; relying on cache TTL until it connects');
  return listener;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function drain(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), timeoutMs);
    force.unref();
    // Keep-alive connections turn idle as their last response ends: close each one as soon as it does.
    const sweeper = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => {
      clearTimeout(force);
      clearInterval(sweeper);
      resolve();
    });
    server.closeIdleConnections();
  });
}
