import { createDb, type Db } from '@portcullis/db';
import { applyUsageEvents } from '@portcullis/usage/apply';
import {
  deadLetterStreamKey,
  STREAM_PARTITIONS,
  USAGE_CONSUMER_GROUP,
  USAGE_ENTRY_FIELD,
  UsageStreamProducer,
  usageStreamKey,
} from '@portcullis/usage/stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageConsumer, type UsageConsumerOptions } from './consumer.ts';
import { readMeteringEnv } from './env.ts';
import {
  countRecorded,
  databaseUrl,
  deleteKeysUnder,
  drainWith,
  eventually,
  expectedTotals,
  makeEvents,
  reconcile,
  redisUrl,
  rollupTotals,
  seedSubscriptions,
  silentLogger,
  streamState,
  testKeyPrefix,
} from './test-helpers.ts';
import { createWorkerRedis, waitReady } from './worker.ts';

describe('metering worker (in-process, Redis streams → Postgres)', () => {
  let db: Db;
  let producerRedis: Redis;
  let workerRedis: ReturnType<typeof createWorkerRedis>;
  // The configured Redis may hold anyone's data: each test keeps to keys under a prefix of its own.
  const prefixes: string[] = [];

  beforeAll(async () => {
    db = createDb(databaseUrl(), 3);
    producerRedis = new Redis(redisUrl(), { maxRetriesPerRequest: 0 });
    workerRedis = createWorkerRedis(
      readMeteringEnv({ DATABASE_URL: databaseUrl(), REDIS_URL: redisUrl(), METERING_BLOCK_MS: '100' }),
    );
    await waitReady(workerRedis);
  });
  afterAll(async () => {
    if (producerRedis) for (const keyPrefix of prefixes) await deleteKeysUnder(producerRedis, keyPrefix);
    await producerRedis?.quit();
    await workerRedis?.quit();
    await db?.$disconnect();
  });

  const prefix = () => {
    const keyPrefix = testKeyPrefix('consumer');
    prefixes.push(keyPrefix);
    return keyPrefix;
  };
  const consumerFor = (keyPrefix: string, extra: Partial<UsageConsumerOptions> = {}) =>
    new UsageConsumer({
      redis: workerRedis,
      db,
      logger: silentLogger(),
      consumerName: 'worker-a',
      keyPrefix,
      batchSize: 5_000,
      blockMs: 100,
      claimIdleMs: 30_000,
      ...extra,
    });

  it('records 20,000 produced events exactly: every id once, rollups equal to what was produced', async () => {
    const keyPrefix = prefix();
    const subs = await seedSubscriptions(db, 4);
    const events = makeEvents(subs, 20_000);
    const consumer = consumerFor(keyPrefix);
    await consumer.ensureGroups();
    consumer.start();
    const producer = new UsageStreamProducer(producerRedis, { keyPrefix });
    for (let i = 0; i < events.length; i += 1_000) {
      await Promise.all(events.slice(i, i + 1_000).map((e) => producer.record(e)));
    }
    const ids = events.map((e) => e.id);
    await eventually(async () => (await countRecorded(db, ids)) === events.length, 30_000, 'all events');
    await consumer.stop();
    expect(consumer.stats).toMatchObject({ applied: 20_000, duplicates: 0, deadLettered: 0, failures: 0 });
    expect((await reconcile(db, subs, events)).problems).toEqual([]);
    // Acknowledged entries are deleted: nothing left behind in Redis.
    expect(await streamState(producerRedis, consumer.streamKeys)).toEqual({ length: 0, pending: 0 });
    expect(consumer.lag.quantile(0.99)).toBeGreaterThan(0);
  });

  it('lingers after a partial batch: a trickle of events is applied in a few transactions, not one per event', async () => {
    const trickle = async (lingerMs: number) => {
      const keyPrefix = prefix();
      const subs = await seedSubscriptions(db, 1);
      const events = makeEvents(subs, 40);
      const consumer = consumerFor(keyPrefix, { lingerMs });
      await consumer.ensureGroups();
      consumer.start();
      const producer = new UsageStreamProducer(producerRedis, { keyPrefix });
      const started = performance.now();
      for (const event of events) {
        await producer.record(event);
        await new Promise((resolve) => setTimeout(resolve, 10)); // ≈ 400 ms of traffic
      }
      const ids = events.map((e) => e.id);
      await eventually(async () => (await countRecorded(db, ids)) === events.length, 10_000, 'all events');
      const tookMs = performance.now() - started;
      await consumer.stop();
      expect(consumer.stats).toMatchObject({ applied: 40, duplicates: 0, failures: 0 });
      return { batches: consumer.stats.batches, tookMs };
    };
    const eager = await trickle(0);
    const lingering = await trickle(200);
    // ≈ 400 ms of traffic in windows of ≥ 200 ms: at most a handful of transactions
    expect(lingering.batches).toBeLessThanOrEqual(4);
    expect(eager.batches).toBeGreaterThan(2 * lingering.batches);
    // and no event waits much longer than the linger
    expect(lingering.tookMs).toBeLessThan(eager.tookMs + 1_000);
  });

  it('does not linger while a partition has a backlog: one heavy subscription is read page after page', async () => {
    const keyPrefix = prefix();
    const subs = await seedSubscriptions(db, 1); // one subscription: every event in one partition
    const events = makeEvents(subs, 2_000);
    // pages of 50 from that partition, 40 of them; a 1 s linger between them would take 40 s
    const consumer = consumerFor(keyPrefix, { batchSize: 50 * STREAM_PARTITIONS, lingerMs: 1_000 });
    await consumer.ensureGroups();
    const producer = new UsageStreamProducer(producerRedis, { keyPrefix });
    await Promise.all(events.map((e) => producer.record(e)));
    const started = performance.now();
    consumer.start();
    const ids = events.map((e) => e.id);
    await eventually(async () => (await countRecorded(db, ids)) === events.length, 20_000, 'all events');
    await consumer.stop();
    expect(consumer.stats.batches).toBeGreaterThanOrEqual(40);
    expect(performance.now() - started).toBeLessThan(8_000);
  });

  it('applies an event XADDed twice (a redelivery) once', async () => {
    const keyPrefix = prefix();
    const subs = await seedSubscriptions(db, 1);
    const [event, other] = makeEvents(subs, 2);
    if (!event || !other) throw new Error('two events');
    const consumer = consumerFor(keyPrefix);
    await consumer.ensureGroups();
    const producer = new UsageStreamProducer(producerRedis, { keyPrefix });
    await producer.record(event);
    await drainWith(consumer, producerRedis);
    // Once more after it was applied, and twice within one batch.
    await Promise.all([producer.record(event), producer.record(other), producer.record(other)]);
    await drainWith(consumer, producerRedis);
    expect(consumer.stats).toMatchObject({ applied: 2, duplicates: 2 });
    expect((await rollupTotals(db, subs)).hourly).toEqual(expectedTotals([event, other]));
  });

  it('moves a malformed entry to the dead-letter stream, acknowledges it and applies the rest', async () => {
    const keyPrefix = prefix();
    const subs = await seedSubscriptions(db, 1);
    const events = makeEvents(subs, 3);
    const key = usageStreamKey(0, keyPrefix);
    const consumer = consumerFor(keyPrefix);
    await consumer.ensureGroups();
    const producer = new UsageStreamProducer(producerRedis, { keyPrefix });
    await producer.record(events[0] as (typeof events)[0]);
    const badId = await producerRedis.xadd(key, '*', USAGE_ENTRY_FIELD, '1|not|enough|parts');
    await producerRedis.xadd(key, '*', 'unexpected', 'field');
    await Promise.all(events.slice(1).map((e) => producer.record(e)));
    await drainWith(consumer, producerRedis);
    expect(consumer.stats).toMatchObject({ applied: 3, deadLettered: 2 });
    expect(
      await countRecorded(
        db,
        events.map((e) => e.id),
      ),
    ).toBe(3);
    const dead = await producerRedis.xrange(deadLetterStreamKey(keyPrefix), '-', '+');
    expect(dead).toHaveLength(2);
    const first = Object.fromEntries(chunk(dead[0]?.[1] ?? []));
    expect(first).toMatchObject({ stream: key, entry: badId, reason: expect.stringMatching(/parts/) });
    expect(JSON.parse(first.fields as string)).toEqual([USAGE_ENTRY_FIELD, '1|not|enough|parts']);
    expect(await streamState(producerRedis, consumer.streamKeys)).toEqual({ length: 0, pending: 0 });
  });

  it('takes over entries a dead consumer held longer than the claim idle time', async () => {
    const keyPrefix = prefix();
    const subs = await seedSubscriptions(db, 1);
    const events = makeEvents(subs, 50);
    const live = consumerFor(keyPrefix, { consumerName: 'worker-live', claimIdleMs: 300 });
    await live.ensureGroups();
    const producer = new UsageStreamProducer(producerRedis, { keyPrefix });
    await Promise.all(events.map((e) => producer.record(e)));
    // A consumer that reads everything and dies before acknowledging.
    for (const key of live.streamKeys) {
      await producerRedis.xreadgroup(
        'GROUP',
        USAGE_CONSUMER_GROUP,
        'worker-dead',
        'COUNT',
        100,
        'STREAMS',
        key,
        '>',
      );
    }
    expect((await streamState(producerRedis, live.streamKeys)).pending).toBe(50);
    expect(await live.round()).toBe(0); // nothing new, nothing idle long enough yet
    await new Promise((resolve) => setTimeout(resolve, 400));
    await drainWith(live, producerRedis);
    expect(live.stats.applied).toBe(50);
    expect((await rollupTotals(db, subs)).daily).toEqual(expectedTotals(events));
  });

  it('keeps entries pending while Postgres fails and applies them once when it is back', async () => {
    const keyPrefix = prefix();
    const subs = await seedSubscriptions(db, 1);
    const events = makeEvents(subs, 200);
    let failures = 2;
    const consumer = consumerFor(keyPrefix, {
      apply: async (database, batch, now) => {
        if (failures-- > 0) throw new Error('Postgres unreachable');
        return applyUsageEvents(database, batch, now);
      },
    });
    await consumer.ensureGroups();
    const producer = new UsageStreamProducer(producerRedis, { keyPrefix });
    await Promise.all(events.map((e) => producer.record(e)));
    consumer.start();
    await eventually(async () => consumer.stats.applied === 200, 10_000, 'applied after failures');
    await consumer.stop();
    expect(consumer.stats).toMatchObject({ failures: 2, applied: 200, duplicates: 0 });
    expect((await rollupTotals(db, subs)).hourly).toEqual(expectedTotals(events));
    expect(await streamState(producerRedis, consumer.streamKeys)).toEqual({ length: 0, pending: 0 });
  });

  it('redelivers a batch committed but not acknowledged, and it changes nothing', async () => {
    const keyPrefix = prefix();
    const subs = await seedSubscriptions(db, 1);
    const events = makeEvents(subs, 300);
    let crashes = 1;
    // Commits, then "dies" before XACK: the crash window a SIGKILL can hit.
    const consumer = consumerFor(keyPrefix, {
      apply: async (database, batch, now) => {
        const result = await applyUsageEvents(database, batch, now);
        if (crashes-- > 0) throw new Error('killed after commit');
        return result;
      },
    });
    await consumer.ensureGroups();
    const producer = new UsageStreamProducer(producerRedis, { keyPrefix });
    await Promise.all(events.map((e) => producer.record(e)));
    consumer.start();
    await eventually(
      async () => (await streamState(producerRedis, consumer.streamKeys)).length === 0,
      10_000,
      'drained',
    );
    await consumer.stop();
    expect(consumer.stats).toMatchObject({ failures: 1, applied: 0, duplicates: 300 });
    expect(
      await countRecorded(
        db,
        events.map((e) => e.id),
      ),
    ).toBe(300);
    expect((await rollupTotals(db, subs)).hourly).toEqual(expectedTotals(events));
  });

  it('stop() finishes the batch in progress: applied and acknowledged', async () => {
    const keyPrefix = prefix();
    const subs = await seedSubscriptions(db, 1);
    const events = makeEvents(subs, 1_000);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered = false;
    const consumer = consumerFor(keyPrefix, {
      apply: async (database, batch, now) => {
        entered = true;
        await gate;
        return applyUsageEvents(database, batch, now);
      },
    });
    await consumer.ensureGroups();
    const producer = new UsageStreamProducer(producerRedis, { keyPrefix });
    await Promise.all(events.map((e) => producer.record(e)));
    consumer.start();
    await eventually(async () => entered, 5_000, 'a batch in progress');
    const stopped = consumer.stop();
    release();
    await stopped;
    expect(consumer.stats.applied).toBe(1_000);
    expect(await streamState(producerRedis, consumer.streamKeys)).toEqual({ length: 0, pending: 0 });
  });
});

function chunk(fields: string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) pairs.push([fields[i] as string, fields[i + 1] as string]);
  return pairs;
}
