import { createDb, type Db } from '@portcullis/db';
import { partitionOf, STREAM_PARTITIONS, UsageStreamProducer } from '@portcullis/usage/stream';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster, tempDir } from '../../gateway/test/limits-redis-servers.ts';
import { UsageConsumer } from './consumer.ts';
import { readMeteringEnv } from './env.ts';
import {
  countRecorded,
  databaseUrl,
  drainWith,
  expectedTotals,
  makeEvents,
  rollupTotals,
  seedSubscriptions,
  silentLogger,
  streamState,
} from './test-helpers.ts';
import { createWorkerRedis, waitReady } from './worker.ts';

describe('metering over a Redis Cluster (three masters)', () => {
  let db: Db;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let cluster: Awaited<ReturnType<typeof startRedisCluster>> | undefined;

  beforeAll(async () => {
    db = createDb(databaseUrl(), 3);
    dir = await tempDir();
    cluster = await startRedisCluster(dir.path);
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
    await dir?.remove();
    await db?.$disconnect();
  });

  it('produces per-partition pipelines and consumes every partition exactly', async () => {
    const nodes = (cluster?.ports ?? []).map((port) => ({ host: '127.0.0.1', port }));
    const producerRedis = new Cluster(nodes, { redisOptions: { maxRetriesPerRequest: 0 } });
    const workerRedis = createWorkerRedis(
      readMeteringEnv({
        DATABASE_URL: databaseUrl(),
        REDIS_CLUSTER_NODES: nodes.map((n) => `${n.host}:${n.port}`).join(','),
      }),
    );
    try {
      await waitReady(producerRedis);
      await waitReady(workerRedis);
      // Enough subscriptions that every partition (and so every node) gets some.
      const subs: string[] = [];
      while (new Set(subs.map(partitionOf)).size < STREAM_PARTITIONS)
        subs.push(...(await seedSubscriptions(db, 4)));
      const events = makeEvents(subs, 5_000);
      const consumer = new UsageConsumer({
        redis: workerRedis,
        db,
        logger: silentLogger(),
        consumerName: 'cluster-worker',
        batchSize: 2_000,
        blockMs: 100,
        claimIdleMs: 30_000,
      });
      await consumer.ensureGroups();
      const producer = new UsageStreamProducer(producerRedis);
      await Promise.all(events.map((e) => producer.record(e)));
      // The partitions' hash tags spread them over the masters (4 slots, 3 nodes).
      const lengths = await Promise.all(consumer.streamKeys.map((key) => producerRedis.xlen(key)));
      expect(lengths.filter((n) => n > 0)).toHaveLength(STREAM_PARTITIONS);
      await drainWith(consumer, producerRedis);
      expect(
        await countRecorded(
          db,
          events.map((e) => e.id),
        ),
      ).toBe(events.length);
      expect((await rollupTotals(db, subs)).daily).toEqual(expectedTotals(events));
      expect(await streamState(producerRedis, consumer.streamKeys)).toEqual({ length: 0, pending: 0 });
    } finally {
      producerRedis.disconnect();
      workerRedis.disconnect();
    }
  });
});
