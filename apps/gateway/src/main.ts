import cluster from 'node:cluster';
import { GatewayConfigError, type GatewayEnv, readGatewayEnv, tracingOptions } from './env.ts';
import { createLogging, describeError, type GatewayLogging } from './log.ts';
import { newInternalSecret } from './mcp/internal.ts';
import { onPrimaryDrainRequest, runPrimary } from './ops/cluster.ts';
import { configureRequestMetrics } from './ops/http-metrics.ts';
import { type RunningGateway, startGateway } from './server.ts';

function readEnvOrExit(): GatewayEnv {
  try {
    return readGatewayEnv();
  } catch (error) {
    // Refuse to start, naming the variable; no stack trace for a configuration mistake.
    process.stderr.write(`${error instanceof GatewayConfigError ? error.message : describeError(error)}\n`);
    process.exit(78); // EX_CONFIG
  }
}

/** One gateway in this process: the only process when GATEWAY_WORKERS=1, else one cluster worker. */
async function runGateway(env: GatewayEnv, logging: GatewayLogging): Promise<void> {
  const { log } = logging;
  const exit = (code: number) => {
    logging.flush();
    process.exit(code);
  };
  // Listen for stop requests before starting: a drain asked for during startup must not be lost.
  let gateway: RunningGateway | undefined;
  let stopReason: string | undefined;
  const stop = (reason: string) => {
    if (stopReason !== undefined) return;
    stopReason = reason;
    if (!gateway) return; // startup finishes first, then drains at once
    log('info', `${reason}: draining`);
    gateway.close().then(
      () => exit(0),
      (error: unknown) => {
        log('error', 'shutdown failed', { error: describeError(error) });
        exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('received SIGTERM'));
  process.on('SIGINT', () => stop('received SIGINT'));
  onPrimaryDrainRequest(stop);

  gateway = await startGateway({
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    redisClusterNodes: env.REDIS_CLUSTER_NODES,
    redisKeyPrefix: env.GATEWAY_REDIS_KEY_PREFIX,
    port: env.GATEWAY_PORT,
    host: env.GATEWAY_HOST,
    configCacheTtlMs: env.GATEWAY_KEY_CACHE_TTL_MS,
    configWaitMs: env.GATEWAY_CONFIG_WAIT_MS,
    configCacheBudgets: {
      routes: env.GATEWAY_ROUTE_CACHE_MAX_BYTES,
      keys: env.GATEWAY_KEY_CACHE_MAX_BYTES,
      subscriptions: env.GATEWAY_SUBSCRIPTION_CACHE_MAX_BYTES,
      quotaBases: env.GATEWAY_QUOTA_CACHE_MAX_BYTES,
      ai: env.GATEWAY_AI_CONFIG_CACHE_MAX_BYTES,
      unknown: env.GATEWAY_UNKNOWN_CACHE_MAX_BYTES,
    },
    usageFlushIntervalMs: env.USAGE_FLUSH_INTERVAL_MS,
    upstreamTimeoutMs: env.GATEWAY_UPSTREAM_TIMEOUT_MS,
    headersTimeoutMs: env.GATEWAY_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: env.GATEWAY_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: env.GATEWAY_KEEP_ALIVE_TIMEOUT_MS,
    allowListRefreshMs: env.GATEWAY_ALLOWLIST_REFRESH_MS,
    trustedProxies: env.GATEWAY_TRUSTED_PROXIES, // policies
    responseCacheMaxBytes: env.GATEWAY_RESPONSE_CACHE_MAX_BYTES, // policies
    drainTimeoutMs: env.GATEWAY_DRAIN_TIMEOUT_MS,
    drainDelayMs: env.GATEWAY_DRAIN_DELAY_MS,
    encryptionKey: env.PORTCULLIS_ENCRYPTION_KEY, // ai
    orgHostSuffix: env.GATEWAY_ORG_HOST_SUFFIX,
    internalSecret: env.GATEWAY_INTERNAL_SECRET,
    tracing: tracingOptions(env),
    requestLogRetention: { defaultDays: env.GATEWAY_LOG_RETENTION_DAYS, intervalMs: 3_600_000 },
    log,
    accessLog: logging.accessLog,
  });
  if (stopReason !== undefined) {
    const reason = stopReason;
    stopReason = undefined;
    stop(reason);
  }
}

function main(): void {
  const env = readEnvOrExit();
  const logging = createLogging(env.GATEWAY_LOG_LEVEL);
  const fail = (error: unknown) => {
    logging.log('error', 'gateway failed to start', { error: describeError(error) });
    logging.flush();
    process.exit(1);
  };
  if (env.GATEWAY_WORKERS > 1 && cluster.isPrimary) {
    runPrimary({
      workers: env.GATEWAY_WORKERS,
      drainTimeoutMs: env.GATEWAY_DRAIN_TIMEOUT_MS,
      // one secret for every worker: a tool call may come back to any of them
      workerEnv: { GATEWAY_INTERNAL_SECRET: env.GATEWAY_INTERNAL_SECRET ?? newInternalSecret() },
      log: logging.log,
      exit: (code) => {
        logging.flush();
        process.exit(code);
      },
    });
    return;
  }
  configureRequestMetrics({ topApis: env.GATEWAY_METRICS_TOP_APIS, apis: env.GATEWAY_METRICS_APIS });
  runGateway(env, logging).catch(fail);
}

main();
