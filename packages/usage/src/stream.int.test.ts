import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeUsageFields,
  partitionOf,
  type StreamUsageEvent,
  UsageStreamProducer,
  usageStreamKey,
  usageStreamKeys,
} from './stream.ts';

// The configured Redis; a random key prefix keeps this run's streams apart, and only they are deleted.
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const makeEvent = (i: number): StreamUsageEvent => ({
  id: randomUUID(),
  subscriptionId: `cmsub${i % 7}`,
  atMs: Date.now(),
  status: i % 3 === 0 ? 503 : 200,
  billable: i % 3 !== 0,
  bytesIn: i,
  bytesOut: 2 * i,
  ...(i % 2 === 0 ? { tokensIn: i, tokensOut: i + 1, costMicros: BigInt(i) * 10n } : {}),
});

describe('UsageStreamProducer against Redis', () => {
  let redis: Redis;
  const keyPrefix = `stream-test-${randomBytes(4).toString('hex')}:`;

  beforeAll(() => {
    redis = new Redis(REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  });
  afterAll(async () => {
    await redis.del(...usageStreamKeys(keyPrefix));
    await redis.quit();
  });

  it('acknowledges only once the entries are in their partition streams, decodable', async () => {
    if (redis.status !== 'ready') await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
    let pipelines = 0;
    const original = redis.pipeline.bind(redis);
    redis.pipeline = ((...args: Parameters<typeof original>) => {
      pipelines++;
      return original(...args);
    }) as typeof redis.pipeline;
    const producer = new UsageStreamProducer(redis, { keyPrefix });
    const events = Array.from({ length: 2_000 }, (_, i) => makeEvent(i));
    await Promise.all(events.map((e) => producer.record(e)));
    expect(pipelines).toBe(1); // one round trip for the whole turn
    redis.pipeline = original;

    const byId = new Map<string, StreamUsageEvent>();
    for (const key of usageStreamKeys(keyPrefix)) {
      for (const [, fields] of await redis.xrange(key, '-', '+')) {
        const decoded = decodeUsageFields(fields);
        if (!decoded.ok) throw new Error(decoded.reason);
        expect(key).toBe(usageStreamKey(partitionOf(decoded.event.subscriptionId), keyPrefix));
        byId.set(decoded.event.id, decoded.event);
      }
    }
    expect(byId.size).toBe(2_000);
    for (const event of events) {
      const stored = byId.get(event.id);
      const { costMicros, ...rest } = event;
      expect(stored).toMatchObject(rest);
      expect(stored?.costMicros).toBe(costMicros === undefined ? undefined : BigInt(costMicros));
    }
  });

  it('rejects at once when Redis is unreachable, so the gateway can fall back', async () => {
    const down = new Redis('redis://127.0.0.1:1', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      lazyConnect: true,
    });
    down.on('error', () => undefined);
    await down.connect().catch(() => undefined);
    const producer = new UsageStreamProducer(down);
    const started = Date.now();
    await expect(producer.record(makeEvent(1))).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(500);
    down.disconnect();
  });
});
