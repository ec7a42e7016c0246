import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDb, type Db } from '@portcullis/db';
import {
  type ConfigChange,
  type ConfigListener,
  configNotifySql,
  listenConfigChanges,
} from '@portcullis/db/notify';
import { createPgPool, type SqlRunner, sqlWriter } from '@portcullis/db/pg';
// Per-API request policies and response cache — src/policies, src/cache
import { AiService } from './ai/service.ts';
import { ResponseCacheStore } from './cache/store.ts';
import { ConfigCache } from './config/config-cache.ts';
import { sqlConfigRepository } from './config/repository.ts';
import { createHandler } from './handler.ts';
import { createHardenedServer, DEFAULT_HARDENING } from './http/hardening.ts'; // upstreams
import { createLimitStore } from './limits/create.ts'; // limits
import { ResilientLimitStore } from './limits/resilient.ts';
import {
  type AccessLogger,
  accessLogVia,
  describeError,
  jsonAccessLogger,
  jsonLogger,
  type Logger,
  throttledWarn,
} from './log.ts';
// Metrics, draining readiness, retention — apps/gateway/src/ops, usage/retention.ts
import { registerWorkerMetrics } from './ops/cluster-metrics.ts';
import { withOpsEndpoints } from './ops/endpoints.ts';
import { collectProcessMetrics, observeRequest } from './ops/http-metrics.ts';
import { PolicyEngine } from './policies/engine.ts';
import { createTracer, type TracingOptions } from './tracing/create.ts';
// Targets, breakers, SSRF guard — src/upstream
import { UpstreamAllowList, upstreamAllowedHosts } from './upstream/allow-list.ts';
import { OrgAgents } from './upstream/connector.ts';
import { UpstreamClient } from './upstream/proxy.ts';
import { UsageMeter } from './usage/meter.ts';
import { RequestLogRetention } from './usage/retention.ts';
import { meterSink, StreamUsageSink, type UsageSink } from './usage/sink.ts';

export interface GatewayOptions {
  databaseUrl: string;
  /** Absent: counters live in this process only (single-instance mode). */
  redisUrl?: string | undefined;
  /** limits: Redis Cluster seed nodes; when non-empty, counters use the cluster instead of redisUrl. */
  redisClusterNodes?: { host: string; port: number }[] | undefined;
  /** 0 picks a free port. Default 8080. */
  port?: number;
  host?: string;
  keyCacheTtlMs?: number;
  /** The longest one request waits for configuration from Postgres, all lookups together (default 1 s). */
  configWaitMs?: number;
  usageFlushIntervalMs?: number;
  upstreamTimeoutMs?: number;
  /** Namespace for Redis keys; tests pass a unique one per run. */
  redisKeyPrefix?: string;
  /** limits: fresh reads of quota usage around a Redis outage (wait ≤ 250 ms, re-read every 5 s) */
  quotaUsage?: { waitMs?: number; refreshMs?: number };
  /** How long close() waits for in-flight requests before cutting connections. */
  drainTimeoutMs?: number;
  /** close() first answers /readyz 503 this long while still accepting, so load balancers move away. */
  drainDelayMs?: number;
  /** One line per request; default: through `log` when one is given, else JSON on stdout. */
  accessLog?: AccessLogger;
  /** RequestLog retention job; false disables it (default: 30 days, hourly). */
  requestLogRetention?: { defaultDays: number; intervalMs: number } | false;
  /** CIDRs of proxies whose X-Forwarded-For is believed (default none). */
  trustedProxies?: readonly string[];
  /** In-process response cache bound (default 50 MB); Redis backs it as L2 when redisUrl is set. */
  responseCacheMaxBytes?: number;
  /** slowloris guard: time to receive a request head (default 10 s) */
  headersTimeoutMs?: number;
  /** time to receive a whole request (default 300 s; 0 disables) */
  requestTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  /** reload period of the SSRF allow-list, UpstreamAllowedHost (default 30 s) */
  allowListRefreshMs?: number;
  /** ai: PORTCULLIS_ENCRYPTION_KEY, decrypting tenants' provider credentials */
  encryptionKey?: string | undefined;
  /** GATEWAY_ORG_HOST_SUFFIX: Host `{org}.<suffix>` serves that org at `/{api}/…` (path routing stays) */
  orgHostSuffix?: string | undefined;
  /** OpenTelemetry tracing (tracingOptions(env)); without an endpoint it is off */
  tracing?: TracingOptions;
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
  // Prisma is only created when a Redis outage sends usage to Postgres through applyUsageEvents (shared
  // with the worker); everything else in this process uses node-postgres (`sql` below). The hot path never
  // waits on Postgres for long: a cut connection fails fast and the caches take over.
  let prisma = options.db;
  const ownsDb = options.db === undefined;
  const db = () => {
    prisma ??= createDb(options.databaseUrl, undefined, { connectMs: 2_000, queryMs: 10_000 });
    return prisma;
  };

  // Config reads, readiness, retention and batch writes go through node-postgres, not Prisma (see
  // createPgPool): nothing on the request path waits behind an ORM's query planning.
  const sql = sqlWriter(createPgPool(options.databaseUrl, undefined, { connectMs: 2_000, queryMs: 10_000 }));
  const repository = sqlConfigRepository(sql);

  // Redis single/cluster behind the per-API failure modes, or memory — src/limits
  const limits = await createLimitStore({
    redisUrl: options.redisUrl,
    redisClusterNodes: options.redisClusterNodes,
    redisKeyPrefix: options.redisKeyPrefix,
    // Straight from Postgres, not the config cache: a quota's counter is seeded from it around an outage.
    periodUsage: (subscriptionId, startMs) => repository.periodUsage(subscriptionId, new Date(startMs)),
    quotaUsage: options.quotaUsage,
    log,
  });

  const cache = new ConfigCache(repository, {
    ttlMs: options.keyCacheTtlMs ?? 30_000,
    requestWaitMs: options.configWaitMs ?? 1_000,
    now,
    onRefreshError: (error) =>
      log('warn', 'config refresh failed; serving stale entry', { error: describeError(error) }),
  });

  const allowList = new UpstreamAllowList(upstreamAllowedHosts(sql), {
    refreshMs: options.allowListRefreshMs ?? 30_000,
    now,
    onError: (error) =>
      log('warn', 'upstream allow-list refresh failed; keeping the last one', {
        error: describeError(error),
      }),
  });
  await allowList.start();
  const listener = await startInvalidation(
    options.databaseUrl,
    cache,
    sql,
    log,
    () => void allowList.refresh(),
  );
  const accessLog = options.accessLog ?? (options.log ? accessLogVia(options.log) : jsonAccessLogger);
  collectProcessMetrics();
  registerWorkerMetrics();
  const meter = new UsageMeter(sql, {
    flushIntervalMs: options.usageFlushIntervalMs ?? 500,
    now,
    onRequestLog: (entry) => {
      observeRequest(entry);
      accessLog(entry);
    },
    onFlushError: (error, batchId) =>
      log('error', 'usage flush failed; batch kept for retry', { batchId, error: describeError(error) }),
  });
  meter.start();
  // Redis mode: usage events on the stream the metering worker (apps/metering) reads; embedded: the meter.
  const usage: UsageSink =
    options.redisUrl || options.redisClusterNodes?.length
      ? new StreamUsageSink({
          redisUrl: options.redisUrl,
          redisClusterNodes: options.redisClusterNodes,
          keyPrefix: options.redisKeyPrefix,
          db,
          log,
          redisHealthy: () => (limits instanceof ResilientLimitStore ? limits.redis.available : true),
        })
      : meterSink(meter);
  const retentionOptions = options.requestLogRetention ?? { defaultDays: 30, intervalMs: 3_600_000 };
  const retention = retentionOptions
    ? new RequestLogRetention(sql, {
        ...retentionOptions,
        onResult: (result) => log('info', 'request log retention', { ...result }),
        onError: (error) => log('warn', 'request log retention failed', { error: describeError(error) }),
      })
    : undefined;
  retention?.start();
  let draining = false;
  const upstream = new UpstreamClient({ timeoutMs: options.upstreamTimeoutMs ?? 30_000, allowList, now }); // upstreams
  const hardening = {
    headersTimeoutMs: options.headersTimeoutMs ?? DEFAULT_HARDENING.headersTimeoutMs,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_HARDENING.requestTimeoutMs,
    keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? DEFAULT_HARDENING.keepAliveTimeoutMs,
  };
  const policies = new PolicyEngine({
    trustedProxies: options.trustedProxies ?? [],
    cache: new ResponseCacheStore({
      maxBytes: options.responseCacheMaxBytes ?? 50 * 1024 * 1024,
      now,
      redis: options.redisUrl
        ? { url: options.redisUrl, keyPrefix: options.redisKeyPrefix ?? 'portcullis:' }
        : undefined,
      onError: throttledWarn(log, 'response cache (Redis L2) failed; serving without it'),
    }),
    log,
    now,
  });
  // AI and PROMPT APIs — src/ai
  // One agent per org owning the credentials: its connector admits only that org's allow-listed hosts.
  const aiDispatchers = new OrgAgents(allowList);
  const ai = new AiService({
    cache,
    encryptionKey: options.encryptionKey,
    redisUrl: options.redisUrl,
    redisClusterNodes: options.redisClusterNodes,
    redisKeyPrefix: options.redisKeyPrefix ?? 'portcullis:',
    dispatcherFor: (orgId) => aiDispatchers.for(orgId),
    callLogFlushMs: options.usageFlushIntervalMs ?? 500,
    batchSql: sql,
    responseCacheMaxBytes: Math.max(1024 * 1024, Math.floor((options.responseCacheMaxBytes ?? 0) / 4)),
    log,
    now,
  });

  const tracer = createTracer({
    ...options.tracing,
    onExportError: throttledWarn(log, 'trace export failed; spans dropped'),
  });
  // Timeouts, problem+json for unparseable HTTP, TRACE and HTTP versions other than 1.x refused
  const server = createHardenedServer(
    hardening,
    withOpsEndpoints(
      createHandler({
        sql,
        cache,
        limits,
        upstream,
        meter,
        usage,
        policies, // policies
        ai, // ai
        orgHostSuffix: options.orgHostSuffix,
        tracer,
        log,
        now,
        onInfraError: (what, error) => log('error', `${what} store failed`, { error: describeError(error) }),
      }),
      { draining: () => draining },
      log,
    ),
  );
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
    flushUsage: async () => {
      await usage.flush();
      await meter.flush();
      await ai.flush(); // ai
    },
    close() {
      closing ??= (async () => {
        draining = true;
        const delayMs = options.drainDelayMs ?? 0;
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
        await drain(server, options.drainTimeoutMs ?? 10_000);
        // Every request has ended: export the spans still buffered.
        if (tracer) await bounded(tracer.shutdown(), 'trace export', log);
        if (retention) await bounded(retention.stop(), 'log retention', log);
        // Usage gets the longest wait (its own retries take ~6 s); a batch still unsent is logged below.
        await bounded(usage.close(), 'usage stream', log, 20_000);
        await bounded(meter.close(), 'usage flush', log, 20_000);
        await bounded(ai.close(), 'AI call log', log); // ai
        allowList.stop(); // upstreams
        // A connection cut mid-query (Postgres or Redis gone) must not hold shutdown forever.
        await Promise.all([
          bounded(listener.close(), 'config listener', log),
          bounded(limits.close(), 'limit store', log),
          bounded(upstream.close(), 'upstream pools', log),
          bounded(policies.close(), 'policy engine', log),
          bounded(aiDispatchers.close(), 'AI provider connections', log), // ai
        ]);
        if (ownsDb && prisma) await bounded(prisma.$disconnect(), 'database pool', log);
        await bounded(sql.close(), 'node-postgres pool', log);
        log('info', 'gateway stopped', {
          droppedLogs: meter.droppedLogCount,
          unflushedBatches: meter.pendingBatches,
        });
      })();
      return closing;
    },
  };
}

const CLOSE_STEP_TIMEOUT_MS = 5_000;

/** Waits for one shutdown step for a bounded time; a step that hangs is logged and left behind. */
async function bounded(
  step: Promise<unknown>,
  what: string,
  log: Logger,
  timeoutMs = CLOSE_STEP_TIMEOUT_MS,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([
    step.then(
      () => 'done' as const,
      () => 'done' as const,
    ),
    timedOut,
  ]);
  clearTimeout(timer);
  if (outcome === 'timeout') log('warn', 'shutdown step did not finish in time', { step: what });
}

async function startInvalidation(
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
