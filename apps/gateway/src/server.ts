import type { AddressInfo } from 'node:net';
import { createAi } from './ai/create.ts';
import { createHandler } from './chain/run.ts';
import type { ConfigCacheBudgets } from './config/config-cache.ts';
import { createConfig } from './config/create.ts';
import { createHardenedServer, DEFAULT_HARDENING } from './http/hardening.ts';
import { bounded, drain, listen } from './http/lifecycle.ts';
import { createInfra } from './infra.ts';
import { createLimitStore } from './limits/create.ts';
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
import { createMcp } from './mcp/create.ts';
import { registerWorkerMetrics } from './ops/cluster-metrics.ts';
import { withOpsEndpoints } from './ops/endpoints.ts';
import { collectProcessMetrics } from './ops/http-metrics.ts';
import { createPolicies } from './policies/create.ts';
import { createTracer, type TracingOptions } from './tracing/create.ts';
import type { Tracer } from './tracing/types.ts';
import { createUpstreams } from './upstream/create.ts';
import { createUsage } from './usage/create.ts';

export interface GatewayOptions {
  databaseUrl: string;
  /** Absent: counters live in this process only (single-instance mode). */
  redisUrl?: string | undefined;
  /**
   * Redis Cluster seed nodes; when non-empty, rate limits, usage events and AI budgets use the cluster
   * instead of redisUrl (the response cache's Redis level needs a single server).
   */
  redisClusterNodes?: { host: string; port: number }[] | undefined;
  /** 0 picks a free port. Default 8080. */
  port?: number;
  host?: string;
  /** Config cache (APIs, keys, subscriptions…) stale-while-revalidate window; GATEWAY_KEY_CACHE_TTL_MS. */
  configCacheTtlMs?: number;
  /** The longest one request waits for configuration from Postgres, all lookups together (default 1 s). */
  configWaitMs?: number;
  /** Byte bounds of the config cache's stores (GATEWAY_*_CACHE_MAX_BYTES); defaults in config-cache.ts. */
  configCacheBudgets?: Partial<ConfigCacheBudgets>;
  usageFlushIntervalMs?: number;
  upstreamTimeoutMs?: number;
  /** Namespace for Redis keys; tests pass a unique one per run. */
  redisKeyPrefix?: string;
  /** rate limits: fresh reads of quota usage around a Redis outage (wait ≤ 250 ms, re-read every 5 s) */
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
  /**
   * mcp: the secret that marks this gateway's own tool calls (GATEWAY_INTERNAL_SECRET, which the cluster
   * primary gives its workers); default: a random one for this process
   */
  internalSecret?: string | undefined;
  /** mcp: the largest JSON-RPC message the MCP endpoints accept (default 1 MiB) */
  mcpMaxBodyBytes?: number;
  /** OpenTelemetry tracing (tracingOptions(env)); without an endpoint it is off */
  tracing?: TracingOptions;
  log?: Logger;
  now?: () => number;
  /** Spans per request and chain step; absent: no tracing, at no cost. */
  tracer?: Tracer;
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

/** The composition root: each feature's factory, wired into the request chain and the HTTP server. */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const log = options.log ?? jsonLogger;
  const now = options.now ?? Date.now;
  const infra = createInfra(options);
  const { sql } = infra;
  const config = createConfig({ ...options, sql, log, now });

  // Redis single/cluster behind the per-API failure modes, or memory — src/limits
  const limits = await createLimitStore({
    redisUrl: options.redisUrl,
    redisClusterNodes: options.redisClusterNodes,
    redisKeyPrefix: options.redisKeyPrefix,
    // Straight from Postgres, not the config cache: a quota's counter is seeded from it around an outage.
    periodUsage: (subscriptionId, startMs) =>
      config.repository.periodUsage(subscriptionId, new Date(startMs)),
    quotaUsage: options.quotaUsage,
    log,
  });
  const upstreams = await createUpstreams({ ...options, sql, log, now });
  const listener = await config.listen(() => void upstreams.allowList.refresh());
  collectProcessMetrics();
  registerWorkerMetrics();
  const usage = createUsage({
    sql,
    redis: infra.redis,
    redisKeyPrefix: options.redisKeyPrefix,
    redisHealthy: () => (limits instanceof ResilientLimitStore ? limits.redis.available : true),
    // The limit store's connection: it is closed after the sink (see close()).
    redisTurn: limits instanceof ResilientLimitStore ? limits.redis.turn : undefined,
    flushIntervalMs: options.usageFlushIntervalMs,
    requestLogRetention: options.requestLogRetention,
    log,
    now,
  });
  const policies = createPolicies({ ...options, log, now });
  const ai = createAi({
    ...options,
    cache: config.cache,
    allowList: upstreams.allowList,
    sql,
    redis: infra.redis,
    callLogFlushMs: options.usageFlushIntervalMs,
    log,
    now,
  });

  const mcp = createMcp({
    redis: infra.redis,
    redisKeyPrefix: options.redisKeyPrefix,
    internalSecret: options.internalSecret,
    maxBodyBytes: options.mcpMaxBodyBytes,
    upstreamTimeoutMs: options.upstreamTimeoutMs,
  });

  const tracer =
    options.tracer ??
    createTracer({
      ...options.tracing,
      onExportError: throttledWarn(log, 'trace export failed; spans dropped'),
    });
  let draining = false;
  const handler = createHandler({
    sql,
    cache: config.cache,
    limits,
    upstream: upstreams.client,
    meter: usage.meter,
    usage: usage.sink,
    accessLog: options.accessLog ?? (options.log ? accessLogVia(options.log) : jsonAccessLogger),
    policies,
    ai: ai.service,
    tracer,
    orgHostSuffix: options.orgHostSuffix,
    mcp: mcp.deps,
    log,
    now,
    onInfraError: (what, error) => log('error', `${what} store failed`, { error: describeError(error) }),
  });
  // Timeouts, problem+json for unparseable HTTP, TRACE and HTTP versions other than 1.x refused
  const server = createHardenedServer(
    {
      headersTimeoutMs: options.headersTimeoutMs ?? DEFAULT_HARDENING.headersTimeoutMs,
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_HARDENING.requestTimeoutMs,
      keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? DEFAULT_HARDENING.keepAliveTimeoutMs,
    },
    withOpsEndpoints(handler, { draining: () => draining }, log),
  );
  const host = options.host ?? '127.0.0.1';
  await listen(server, options.port ?? 8080, host);
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  mcp.listeningAt(host, port);
  log('info', 'gateway listening', { url, limitStore: limits.kind });

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    limitStore: limits.kind,
    flushUsage: async () => {
      await usage.sink.flush();
      await usage.meter.flush();
      await ai.service.flush();
    },
    close() {
      closing ??= (async () => {
        draining = true;
        const delayMs = options.drainDelayMs ?? 0;
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
        await drain(server, options.drainTimeoutMs ?? 10_000);
        // Every request has ended: export the spans still buffered.
        if (tracer) await bounded(tracer.shutdown(), 'trace export', log);
        if (usage.retention) await bounded(usage.retention.stop(), 'log retention', log);
        // Usage gets the longest wait (its own retries take ~6 s); a batch still unsent is logged below.
        await bounded(usage.sink.close(), 'usage stream', log, 20_000);
        await bounded(usage.meter.close(), 'usage flush', log, 20_000);
        await bounded(ai.service.close(), 'AI call log', log);
        upstreams.allowList.stop();
        // A connection cut mid-query (Postgres or Redis gone) must not hold shutdown forever.
        await Promise.all([
          bounded(listener.close(), 'config listener', log),
          bounded(limits.close(), 'limit store', log),
          bounded(upstreams.client.close(), 'upstream pools', log),
          bounded(policies.close(), 'policy engine', log),
          bounded(ai.dispatchers.close(), 'AI provider connections', log),
          bounded(mcp.close(), 'MCP sessions', log),
        ]);
        await bounded(sql.close(), 'node-postgres pool', log);
        config.untrack();
        log('info', 'gateway stopped', {
          droppedLogs: usage.meter.droppedLogCount,
          unflushedBatches: usage.meter.pendingBatches,
        });
      })();
      return closing;
    },
  };
}
