import type { Server } from 'node:http';
import { createDb, type Db } from '@portcullis/db';
import { createRedis } from '@portcullis/db/redis';
import { USAGE_CONSUMER_GROUP } from '@portcullis/usage/stream';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { startBillingJobs } from './billing-jobs.ts';
import { UsageConsumer } from './consumer.ts';
import type { MeteringEnv } from './env.ts';
import { type MeteringSnapshot, startMetricsServer } from './metrics.ts';
import { ensurePartitions, pruneUsageEvents } from './retention.ts';

export interface RunningWorker {
  /** absent without Redis (embedded mode: billing jobs only) */
  consumer: UsageConsumer | undefined;
  /** Finishes the batch in progress (committed and acknowledged), then closes everything. */
  stop(): Promise<void>;
}

/**
 * The worker's Redis connection. No offline queue and no retries per command: while Redis is away a
 * round fails at once and backs off (its entries stay pending), instead of piling commands up. The
 * command timeout sits above the XREADGROUP block so only a hung server trips it.
 */
export function createWorkerRedis(env: MeteringEnv): Redis | Cluster {
  const retryStrategy = (times: number) => Math.min(100 * times, 2_000);
  const commandTimeout = env.METERING_BLOCK_MS + 10_000;
  // Failures surface on the commands that hit them (and are logged by the consumer loop).
  return createRedis({
    url: env.REDIS_URL,
    clusterNodes: env.REDIS_CLUSTER_NODES,
    command: { commandTimeout, maxRetriesPerRequest: 0 },
    enableOfflineQueue: false,
    retryStrategy,
  });
}

export async function waitReady(redis: Redis | Cluster, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (redis.status !== 'ready') {
    if (Date.now() > deadline) throw new Error(`Redis not ready within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function snapshot(consumer: UsageConsumer, redis: Redis | Cluster): Promise<MeteringSnapshot> {
  let pending: number | undefined = 0;
  let backlog: number | undefined = 0;
  try {
    for (const key of consumer.streamKeys) {
      const summary = (await redis.xpending(key, USAGE_CONSUMER_GROUP)) as [number, ...unknown[]];
      pending += Number(summary[0] ?? 0);
      backlog += await redis.xlen(key);
    }
  } catch {
    pending = undefined;
    backlog = undefined;
  }
  return {
    ...consumer.stats,
    lagP50Ms: consumer.lag.quantile(0.5),
    lagP99Ms: consumer.lag.quantile(0.99),
    pending,
    backlog,
  };
}

/**
 * The day partitions of the logs and the usage ledger (@portcullis/db/partitions): today's and the week
 * ahead are created before the worker starts consuming, then again with each retention run, which also
 * drops the ledger's days past USAGE_EVENT_RETENTION_DAYS. Runs in embedded mode too (billing only), so a
 * platform without Redis keeps its partitions. A failure is logged and tried again on the next run: rows
 * meanwhile land in the DEFAULT partition, never refused.
 */
async function startPartitionMaintenance(
  db: Db,
  env: MeteringEnv,
  logger: Logger,
): Promise<{ stop(): Promise<void> }> {
  const ensure = () =>
    ensurePartitions(db).then(
      (result) => {
        if (result.created.length > 0) logger.info({ ...result }, 'created day partitions');
      },
      (error: unknown) => logger.warn({ err: (error as Error).message }, 'creating day partitions failed'),
    );
  await ensure();
  let running: Promise<unknown> = Promise.resolve();
  const run = () => {
    running = ensure()
      .then(() => pruneUsageEvents(db, { retentionDays: env.USAGE_EVENT_RETENTION_DAYS }))
      .then(
        (result) => {
          if (result.dropped.length > 0 || result.deleted > 0) {
            logger.info({ ...result }, 'pruned usage events past retention');
          }
        },
        (error: unknown) => logger.warn({ err: (error as Error).message }, 'usage event retention failed'),
      );
  };
  // Spread several workers' runs; the advisory locks make overlapping ones wait or skip anyway.
  const first = setTimeout(
    run,
    Math.floor(Math.random() * Math.min(env.METERING_RETENTION_INTERVAL_MS, 60_000)),
  );
  const timer = setInterval(run, env.METERING_RETENTION_INTERVAL_MS);
  first.unref();
  timer.unref();
  return {
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}

export async function startMeteringWorker(
  env: MeteringEnv,
  logger: Logger,
  overrides: { db?: Db; billingJobs?: boolean } = {},
): Promise<RunningWorker> {
  const db = overrides.db ?? createDb(env.DATABASE_URL, 3, { connectMs: 5_000, queryMs: 60_000 });
  const billing =
    overrides.billingJobs === false
      ? undefined
      : startBillingJobs({
          db,
          logger,
          intervalMs: env.BILLING_INTERVAL_MS,
          encryptionKey: env.PORTCULLIS_ENCRYPTION_KEY,
          stripeApiBase: env.STRIPE_API_BASE,
          settleMs: env.BILLING_SETTLE_MS,
          watermarks: {
            staleMs: env.BILLING_WATERMARK_STALE_MS,
            gatewayGiveUpMs: env.BILLING_GATEWAY_GIVE_UP_MS,
          },
        });
  const maintenance = await startPartitionMaintenance(db, env, logger);
  if (!env.PORTCULLIS_ENCRYPTION_KEY && overrides.billingJobs !== false) {
    logger.warn('PORTCULLIS_ENCRYPTION_KEY is not set: Stripe sync is off (local invoices only)');
  }
  if (!env.REDIS_URL && !env.REDIS_CLUSTER_NODES?.length) {
    // Embedded mode: the gateway writes usage to Postgres itself; this process only runs billing.
    logger.info('no Redis configured: billing jobs only (usage is metered by the gateway)');
    return {
      consumer: undefined,
      async stop() {
        await billing?.stop();
        await maintenance.stop();
        if (!overrides.db) await db.$disconnect();
        logger.info('billing worker stopped');
      },
    };
  }
  const redis = createWorkerRedis(env);
  await waitReady(redis);
  const consumer = new UsageConsumer({
    redis,
    db,
    logger,
    consumerName: env.METERING_CONSUMER_NAME,
    keyPrefix: env.METERING_REDIS_KEY_PREFIX,
    batchSize: env.METERING_BATCH_SIZE,
    blockMs: env.METERING_BLOCK_MS,
    lingerMs: env.METERING_LINGER_MS,
    claimIdleMs: env.METERING_CLAIM_IDLE_MS,
    inFlightBoundMs: env.METERING_IN_FLIGHT_BOUND_MS,
    watermarkIntervalMs: env.METERING_WATERMARK_INTERVAL_MS,
  });
  consumer.start();

  let metricsServer: Server | undefined;
  let metricsRedis: Redis | Cluster | undefined;
  if (env.METERING_METRICS_PORT !== undefined) {
    // Its own connection: the consumer's is often inside a blocking XREADGROUP.
    metricsRedis = createWorkerRedis(env);
    const staleAfterMs = env.METERING_BLOCK_MS + 30_000;
    metricsServer = await startMetricsServer({
      port: env.METERING_METRICS_PORT,
      host: env.METERING_METRICS_HOST,
      snapshot: () => snapshot(consumer, metricsRedis as Redis | Cluster),
      healthy: () => Date.now() - consumer.lastRoundCompletedAt < staleAfterMs,
    });
  }
  logger.info(
    {
      consumer: env.METERING_CONSUMER_NAME,
      streams: consumer.streamKeys,
      batchSize: env.METERING_BATCH_SIZE,
      metricsPort: env.METERING_METRICS_PORT,
    },
    'metering worker started',
  );

  return {
    consumer,
    async stop() {
      await billing?.stop();
      await consumer.stop();
      await maintenance.stop();
      await new Promise<void>((resolve) =>
        metricsServer ? metricsServer.close(() => resolve()) : resolve(),
      );
      await Promise.allSettled([redis.quit(), metricsRedis?.quit()]);
      if (!overrides.db) await db.$disconnect();
      logger.info({ ...consumer.stats }, 'metering worker stopped');
    },
  };
}
