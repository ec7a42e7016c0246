import { randomBytes } from 'node:crypto';
import {
  type StreamUsageEvent,
  USAGE_CONSUMER_GROUP,
  UsageStreamProducer,
  usageStreamKeys,
} from '@portcullis/billing/usage/stream';
import { createDb, type Db } from '@portcullis/db';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageConsumer } from './consumer.ts';
import { readMeteringEnv } from './env.ts';
import {
  countRecorded,
  databaseUrl,
  drainWith,
  eventually,
  expectedTotals,
  makeEvents,
  rollupTotals,
  seedSubscriptions,
  silentLogger,
  spawnWorker,
  streamState,
  type WorkerProcess,
} from './test-helpers.ts';
import { createWorkerRedis, waitReady } from './worker.ts';

const REDIS_URL = 'redis://127.0.0.1:6379/6';
const KILLS = 20;
const EVENTS_PER_ROUND = 1_200; // 24,000 in all

describe('metering worker killed with SIGKILL 20 times under load', () => {
  let db: Db;
  let redis: Redis;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    db = createDb(databaseUrl(), 3);
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 0 });
    await redis.flushdb();
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await redis?.quit();
    await db?.$disconnect();
  });

  it('ends with every produced event recorded exactly once and exact rollups', {
    timeout: 300_000,
  }, async () => {
    const keyPrefix = `crash-${randomBytes(4).toString('hex')}:`;
    const consumerName = 'crash-worker';
    const subs = await seedSubscriptions(db, 3);
    const producer = new UsageStreamProducer(redis, { keyPrefix });
    const produced: StreamUsageEvent[] = [];
    const recordedRows = async () => db.usageEvent.count({ where: { subscriptionId: { in: subs } } });
    const env = {
      DATABASE_URL: databaseUrl(),
      REDIS_URL,
      METERING_REDIS_KEY_PREFIX: keyPrefix,
      METERING_CONSUMER_NAME: consumerName,
      // Small batches: many commit → acknowledge windows per second for the kills to land in.
      METERING_BATCH_SIZE: '400',
      METERING_BLOCK_MS: '100',
      METERING_LOG_LEVEL: 'warn',
      METERING_METRICS_PORT: '',
    };
    let killedWithPending = 0;

    for (let round = 0; round < KILLS; round++) {
      const before = await recordedRows();
      const worker = spawnWorker(env);
      workers.push(worker);
      // The producer keeps pushing while the worker starts, runs and dies.
      const events = makeEvents(subs, EVENTS_PER_ROUND, () => Date.now());
      produced.push(...events);
      const producing = (async () => {
        for (let i = 0; i < events.length; i += 100) {
          await Promise.all(events.slice(i, i + 100).map((e) => producer.record(e)));
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      await eventually(async () => (await recordedRows()) > before, 30_000, `worker ${round} progress`).catch(
        (error: unknown) => {
          throw new Error(`${(error as Error).message}\n${worker.output()}`);
        },
      );
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 150)));
      if (round % 2 === 0) {
        // Even rounds: a blind kill, wherever the worker is (idle, reading, committing, acknowledging).
        await worker.kill();
      } else {
        // Odd rounds: the worst window made certain — the worker holds read entries inside an open
        // transaction. A lock on UsageEvent stalls its insert; once entries are pending, SIGKILL, then
        // release the lock (Postgres rolls the dead worker's transaction back).
        // Fresh events after the lock is taken, so the worker has something to read into the stall.
        const extra = makeEvents(subs, 50, () => Date.now());
        produced.push(...extra);
        await killWhileHoldingEntries(
          worker,
          () => Promise.all(extra.map((e) => producer.record(e))),
          () => pendingEntries(redis, usageStreamKeys(keyPrefix)),
        );
      }
      if ((await streamState(redis, usageStreamKeys(keyPrefix))).pending > 0) killedWithPending++;
      await producing;
    }
    expect(produced.length).toBeGreaterThanOrEqual(20_000);
    // Most kills must have caught the worker holding unacknowledged entries, or nothing was tested.
    expect(killedWithPending).toBeGreaterThanOrEqual(KILLS / 4);

    // A last clean worker under the same name: it re-reads what the killed ones held, then drains.
    const workerRedis = createWorkerRedis(readMeteringEnv(env));
    const final = new UsageConsumer({
      redis: workerRedis,
      db,
      logger: silentLogger(),
      consumerName,
      keyPrefix,
      batchSize: 5_000,
      blockMs: 100,
      claimIdleMs: 30_000,
    });
    try {
      await waitReady(workerRedis);
      await drainWith(final, redis, 60_000);
    } finally {
      workerRedis.disconnect();
    }

    const ids = produced.map((e) => e.id);
    expect(await countRecorded(db, ids)).toBe(produced.length); // nothing lost
    expect(await recordedRows()).toBe(produced.length); // nothing twice (and nothing else)
    const totals = await rollupTotals(db, subs);
    expect(totals.hourly).toEqual(expectedTotals(produced));
    expect(totals.daily).toEqual(expectedTotals(produced));
    expect(await streamState(redis, usageStreamKeys(keyPrefix))).toEqual({ length: 0, pending: 0 });
    process.stdout.write(
      `crash test: ${produced.length} events, ${KILLS} SIGKILLs (${killedWithPending} with entries pending), ` +
        `final drain applied ${final.stats.applied}, ignored ${final.stats.duplicates} redelivered\n`,
    );
  });
});

/** Entries read by a consumer and not yet acknowledged, over all partitions, in one round trip. */
async function pendingEntries(redis: Redis, keys: readonly string[]): Promise<number> {
  const pipeline = redis.pipeline();
  for (const key of keys) pipeline.xpending(key, USAGE_CONSUMER_GROUP);
  const replies = (await pipeline.exec()) ?? [];
  return replies.reduce((sum, [error, summary]) => sum + (error ? 0 : Number((summary as [number])[0])), 0);
}

/** SIGKILLs the worker while a batch it read is stuck in its transaction (UsageEvent locked meanwhile). */
async function killWhileHoldingEntries(
  worker: { kill(): Promise<void> },
  feed: () => Promise<unknown>,
  pending: () => Promise<number>,
): Promise<void> {
  const locker = createDb(databaseUrl(), 1);
  try {
    await locker.$transaction(
      async (tx) => {
        await tx.$executeRawUnsafe('LOCK TABLE "UsageEvent" IN EXCLUSIVE MODE');
        await feed();
        const until = Date.now() + 10_000;
        while ((await pending()) === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
        await worker.kill();
      },
      { timeout: 30_000 },
    );
  } finally {
    await locker.$disconnect();
  }
}
