import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { createDb, type Db } from '@portcullis/db';
import { deadLetterStreamKey, UsageStreamProducer, usageStreamKeys } from '@portcullis/usage/stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countRecorded,
  databaseUrl,
  eventually,
  makeEvents,
  seedSubscriptions,
  spawnWorker,
  type WorkerProcess,
} from './test-helpers.ts';

// The configured Redis; each test's streams live under a random key prefix and only they are deleted.
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

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

describe('metering worker process (main.ts)', () => {
  let db: Db;
  let redis: Redis;
  const workers: WorkerProcess[] = [];
  const prefixes: string[] = [];

  beforeAll(() => {
    db = createDb(databaseUrl(), 2);
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 0 });
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    for (const prefix of prefixes) await redis.del(...usageStreamKeys(prefix), deadLetterStreamKey(prefix));
    await redis?.quit();
    await db?.$disconnect();
  });

  it('refuses to start on bad configuration, naming the variable', async () => {
    const worker = spawnWorker({ DATABASE_URL: databaseUrl(), REDIS_URL, METERING_BATCH_SIZE: 'many' });
    workers.push(worker);
    expect(await worker.exited).toBe(78);
    expect(worker.output()).toContain('Invalid configuration: METERING_BATCH_SIZE');
    const badKey = spawnWorker({ DATABASE_URL: databaseUrl(), PORTCULLIS_ENCRYPTION_KEY: 'short' });
    workers.push(badKey);
    expect(await badKey.exited).toBe(78);
    expect(badKey.output()).toContain('Invalid configuration: PORTCULLIS_ENCRYPTION_KEY');
  });

  it('runs the billing jobs alone when no Redis is configured (embedded mode), and stops on SIGTERM', async () => {
    const worker = spawnWorker({ DATABASE_URL: databaseUrl(), REDIS_URL: '', REDIS_CLUSTER_NODES: '' });
    workers.push(worker);
    await eventually(
      async () => worker.output().includes('billing jobs only'),
      20_000,
      `billing-only start\n${worker.output()}`,
    );
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.output()).toContain('billing worker stopped');
  });

  it('serves /metrics and /healthz, and on SIGTERM finishes, acknowledges and exits 0', async () => {
    const keyPrefix = `main-${randomBytes(4).toString('hex')}:`;
    prefixes.push(keyPrefix);
    const port = await freePort();
    const worker = spawnWorker({
      DATABASE_URL: databaseUrl(),
      REDIS_URL,
      METERING_REDIS_KEY_PREFIX: keyPrefix,
      METERING_CONSUMER_NAME: 'main-test',
      METERING_METRICS_PORT: String(port),
      METERING_BLOCK_MS: '200',
    });
    workers.push(worker);
    const subs = await seedSubscriptions(db, 1);
    const events = makeEvents(subs, 2_000, () => Date.now());
    const producer = new UsageStreamProducer(redis, { keyPrefix });
    await Promise.all(events.map((e) => producer.record(e)));
    await eventually(
      async () =>
        (await countRecorded(
          db,
          events.map((e) => e.id),
        )) === events.length,
      30_000,
      `events recorded by the worker process\n${worker.output()}`,
    );
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('metering_events_applied_total 2000\n');
    expect(metrics).toContain('metering_pending_entries 0\n');
    expect(metrics).toMatch(/^metering_lag_p99_seconds \d/m);
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.output()).toContain('metering worker stopped');
  });
});
