import { GatewayConfigError, readGatewayEnv } from './env.ts';
import { describeError, jsonLogger } from './log.ts';
import { startGateway } from './server.ts';

async function main(): Promise<void> {
  let env: ReturnType<typeof readGatewayEnv>;
  try {
    env = readGatewayEnv();
  } catch (error) {
    // Refuse to start, naming the variable; no stack trace for a configuration mistake.
    process.stderr.write(`${error instanceof GatewayConfigError ? error.message : describeError(error)}\n`);
    process.exit(78); // EX_CONFIG
  }
  const gateway = await startGateway({
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    redisKeyPrefix: env.GATEWAY_REDIS_KEY_PREFIX,
    port: env.GATEWAY_PORT,
    host: env.GATEWAY_HOST,
    keyCacheTtlMs: env.GATEWAY_KEY_CACHE_TTL_MS,
    usageFlushIntervalMs: env.USAGE_FLUSH_INTERVAL_MS,
    upstreamTimeoutMs: env.GATEWAY_UPSTREAM_TIMEOUT_MS,
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    jsonLogger('info', `received ${signal}: draining`);
    gateway.close().then(
      () => process.exit(0),
      (error: unknown) => {
        jsonLogger('error', 'shutdown failed', { error: describeError(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  jsonLogger('error', 'gateway failed to start', { error: describeError(error) });
  process.exit(1);
});
