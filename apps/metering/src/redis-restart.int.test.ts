import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, type Db } from '@portcullis/db';
import { type StreamUsageEvent, UsageStreamProducer, usageStreamKeys } from '@portcullis/usage/stream';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UsageConsumer } from './consumer.ts';
import { readMeteringEnv } from './env.ts';
import {
  databaseUrl,
  eventually,
  expectedTotals,
  makeEvents,
  rollupTotals,
  seedSubscriptions,
  silentLogger,
  streamState,
} from './test-helpers.ts';
import { createWorkerRedis, waitReady } from './worker.ts';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * A private redis-server. `always`: every acknowledged write is fsynced to the append-only file first;
 * `none`: no persistence at all (a restart starts empty).
 */
async function startRedisServer(port: number, dir: string, persistence: 'always' | 'none') {
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      'redis-server',
      [
        ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'no'],
        ...['--save', ''],
        ...(persistence === 'always'
          ? ['--appendonly', 'yes', '--appendfsync', 'always']
          : ['--appendonly', 'no']),
      ],
      { stdio: 'ignore' },
    );
    const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    await eventually(
      async () => {
        try {
          if (probe.status !== 'ready') await probe.connect();
          return (await probe.ping()) === 'PONG';
        } catch {
          probe.disconnect();
          return false;
        }
      },
      10_000,
      `redis-server on ${port}`,
    );
    probe.disconnect();
  };
  const exited = () =>
    new Promise<void>((resolve) => {
      if (!child || child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
  await start();
  return {
    start,
    async kill9() {
      const done = exited();
      child?.kill('SIGKILL');
      await done;
    },
    async shutdownNoSave(admin: Redis) {
      const done = exited();
      await admin.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
      await done;
    },
    stop: async () => {
      const done = exited();
      child?.kill('SIGKILL');
      await done;
    },
  };
}

describe('Redis restarted mid-load', () => {
  let db: Db;
  let dir: string;
  let redisServer: Awaited<ReturnType<typeof startRedisServer>> | undefined;

  beforeAll(async () => {
    db = createDb(databaseUrl(), 3);
    dir = await mkdtemp(join(tmpdir(), 'portcullis-metering-redis-'));
  });
  afterEach(async () => {
    await redisServer?.stop();
    redisServer = undefined;
  });
  afterAll(async () => {
    await db?.$disconnect();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('bills nothing twice and loses no acknowledged event across kill -9 and SHUTDOWN NOSAVE', {
    timeout: 180_000,
  }, async () => {
    const port = await freePort();
    redisServer = await startRedisServer(port, dir, 'always');
    const url = `redis://127.0.0.1:${port}`;
    const subs = await seedSubscriptions(db, 2);
    // Like the gateway's client: no offline queue, fail fast while Redis is away.
    const producerRedis = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 50,
    });
    producerRedis.on('error', () => undefined);
    const adminRedis = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    adminRedis.on('error', () => undefined);
    const workerRedis = createWorkerRedis(readMeteringEnv({ DATABASE_URL: databaseUrl(), REDIS_URL: url }));
    await waitReady(workerRedis);
    await waitReady(producerRedis);
    const consumer = new UsageConsumer({
      redis: workerRedis,
      db,
      logger: silentLogger(),
      consumerName: 'restart-worker',
      batchSize: 1_000,
      blockMs: 100,
      claimIdleMs: 30_000,
    });
    await consumer.ensureGroups();
    consumer.start();
    const producer = new UsageStreamProducer(producerRedis, { timeoutMs: 2_000 });
    const acknowledged: StreamUsageEvent[] = [];
    const rejected: StreamUsageEvent[] = [];

    const ROUNDS = 40;
    for (let round = 0; round < ROUNDS; round++) {
      const events = makeEvents(subs, 500, () => Date.now());
      const outcomes = Promise.allSettled(events.map((e) => producer.record(e)));
      // Mid-round, so XADDs are in flight and the worker is mid-batch when Redis goes away.
      if (round === 12) await redisServer.kill9();
      if (round === 26) await redisServer.shutdownNoSave(adminRedis);
      for (const [i, outcome] of (await outcomes).entries()) {
        (outcome.status === 'fulfilled' ? acknowledged : rejected).push(events[i] as StreamUsageEvent);
      }
      if (round === 12 || round === 26) {
        await new Promise((r) => setTimeout(r, 300));
        await redisServer.start();
        await waitReady(producerRedis);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await eventually(
      async () => {
        const state = await streamState(adminRedis, usageStreamKeys());
        return state.length === 0 && state.pending === 0;
      },
      60_000,
      'streams drained',
    );
    await consumer.stop();

    const rows = await db.usageEvent.findMany({
      where: { subscriptionId: { in: subs } },
      select: { id: true },
    });
    const recorded = new Set(rows.map((r) => r.id));
    const lost = acknowledged.filter((e) => !recorded.has(e.id));
    const rejectedButRecorded = rejected.filter((e) => recorded.has(e.id));
    const all = [...acknowledged, ...rejected];
    // Everything recorded was produced; acknowledged events are all there (appendfsync always).
    const producedIds = new Set(all.map((e) => e.id));
    expect(rows.filter((r) => !producedIds.has(r.id))).toEqual([]);
    expect(lost).toEqual([]);
    expect(rejected.length).toBeGreaterThan(0); // the restarts really happened mid-load
    // Nothing billed twice: the rollups are exactly the sum of the recorded events.
    const billed = all.filter((e) => recorded.has(e.id));
    const totals = await rollupTotals(db, subs);
    expect(totals.hourly).toEqual(expectedTotals(billed));
    expect(totals.daily).toEqual(expectedTotals(billed));
    process.stdout.write(
      `redis restart test: ${acknowledged.length} acknowledged, ${rejected.length} rejected ` +
        `(${rejectedButRecorded.length} of those landed anyway), lost ${lost.length}, ` +
        `worker failures ${consumer.stats.failures}, duplicates ignored ${consumer.stats.duplicates}\n`,
    );
    producerRedis.disconnect();
    adminRedis.disconnect();
    workerRedis.disconnect();
  });
  it('without persistence: recovers the lost consumer group, bills nothing twice, loses only what Redis held', {
    timeout: 120_000,
  }, async () => {
    const port = await freePort();
    redisServer = await startRedisServer(port, dir, 'none');
    const url = `redis://127.0.0.1:${port}`;
    const subs = await seedSubscriptions(db, 1);
    const producerRedis = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 50,
    });
    producerRedis.on('error', () => undefined);
    const workerRedis = createWorkerRedis(readMeteringEnv({ DATABASE_URL: databaseUrl(), REDIS_URL: url }));
    await waitReady(workerRedis);
    await waitReady(producerRedis);
    const consumer = new UsageConsumer({
      redis: workerRedis,
      db,
      logger: silentLogger(),
      consumerName: 'volatile-worker',
      batchSize: 1_000,
      blockMs: 100,
      claimIdleMs: 30_000,
    });
    consumer.start();
    const producer = new UsageStreamProducer(producerRedis);
    const acknowledged: StreamUsageEvent[] = [];
    const after: StreamUsageEvent[] = [];
    for (let round = 0; round < 20; round++) {
      const events = makeEvents(subs, 500, () => Date.now());
      const outcomes = Promise.allSettled(events.map((e) => producer.record(e)));
      if (round === 8) await redisServer.kill9();
      for (const [i, outcome] of (await outcomes).entries()) {
        if (outcome.status !== 'fulfilled') continue;
        acknowledged.push(events[i] as StreamUsageEvent);
        if (round > 8) after.push(events[i] as StreamUsageEvent);
      }
      if (round === 8) {
        await new Promise((r) => setTimeout(r, 300));
        await redisServer.start();
        await waitReady(producerRedis);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const recordedIds = async () =>
      new Set(
        (await db.usageEvent.findMany({ where: { subscriptionId: subs[0] }, select: { id: true } })).map(
          (r) => r.id,
        ),
      );
    // The worker re-creates the group the restart lost and records everything produced since.
    await eventually(
      async () => {
        const ids = await recordedIds();
        return after.every((e) => ids.has(e.id));
      },
      30_000,
      'events after the restart',
    );
    await consumer.stop();
    const recorded = await recordedIds();
    const lost = acknowledged.filter((e) => !recorded.has(e.id));
    const totals = await rollupTotals(db, subs);
    expect(totals.hourly).toEqual(expectedTotals(acknowledged.filter((e) => recorded.has(e.id))));
    expect(after.length).toBeGreaterThan(0);
    process.stdout.write(
      `volatile redis test: ${acknowledged.length} acknowledged, lost ${lost.length} (what the stream held at the crash)\n`,
    );
    producerRedis.disconnect();
    workerRedis.disconnect();
  });
});
