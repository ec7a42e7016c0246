import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { readGatewayEnv } from '../env.ts';
import { limitStoreContract } from './contract.ts';
import { RedisLimitStore } from './redis.ts';

const redisUrl = readGatewayEnv().REDIS_URL ?? 'redis://127.0.0.1:6379';
// A namespace of our own: the suite cleans only its keys, never the whole (shared) Redis.
const keyPrefix = `portcullis-test:${randomBytes(6).toString('hex')}:`;

limitStoreContract('redis', async () => new RedisLimitStore({ url: redisUrl, keyPrefix }));

describe('RedisLimitStore keys', () => {
  afterAll(async () => {
    const cleaner = new RedisLimitStore({ url: redisUrl, keyPrefix });
    await cleaner.deleteNamespace();
    await cleaner.close();
  });

  it('hash-tags keys per subscription and gives both counters an expiry', async () => {
    const store = new RedisLimitStore({ url: redisUrl, keyPrefix });
    const raw = new Redis(redisUrl);
    const now = Date.now();
    await store.consume({
      subscriptionId: 'abc',
      nowMs: now,
      rate: { limit: 5, windowSeconds: 60 },
      quota: { limit: 10, period: '2099-01', resetAtMs: now + 3_600_000, base: 3 },
    });
    const keys = (await raw.keys(`${keyPrefix}{sub:abc}:*`)).sort();
    expect(keys).toEqual([
      `${keyPrefix}{sub:abc}:q:2099-01`,
      `${keyPrefix}{sub:abc}:rl:60:${Math.floor(now / 60_000)}`,
    ]);
    expect(await raw.get(`${keyPrefix}{sub:abc}:q:2099-01`)).toBe('4');
    for (const key of keys) expect(await raw.pttl(key)).toBeGreaterThan(0);
    await Promise.all([store.close(), raw.quit()]);
  });
});
