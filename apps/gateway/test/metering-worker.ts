import { usageStreamKeys } from '@portcullis/usage/stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { readMeteringEnv } from '../../metering/src/env.ts';
import { startMeteringWorker } from '../../metering/src/worker.ts';

export interface TestMetering {
  /** Resolves once every usage event on the streams has been applied to Postgres. */
  settled(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The real metering worker (apps/metering), in this process, on a test's key prefix: Redis-mode gateways
 * put usage on a stream and only the worker writes it to Postgres.
 */
export async function startTestMetering(options: {
  databaseUrl: string;
  redisUrl: string;
  keyPrefix: string;
}): Promise<TestMetering> {
  const env = readMeteringEnv({
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    METERING_REDIS_KEY_PREFIX: options.keyPrefix,
    METERING_BLOCK_MS: '100',
    METERING_CONSUMER_NAME: `test-${process.pid}`,
  });
  const worker = await startMeteringWorker(env, pino({ level: 'silent' }), { billingJobs: false });
  const redis = new Redis(options.redisUrl);
  const keys = usageStreamKeys(options.keyPrefix);
  return {
    async settled(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      // Entries are deleted (XDEL) only after their Postgres commit: empty streams mean all applied.
      for (;;) {
        const lengths = await Promise.all(keys.map((key) => redis.xlen(key)));
        if (lengths.every((n) => n === 0)) return;
        if (Date.now() > deadline) throw new Error(`usage not applied within ${timeoutMs} ms: ${lengths}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async stop() {
      await worker.stop();
      redis.disconnect();
    },
  };
}
