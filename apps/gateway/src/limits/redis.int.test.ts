import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { readGatewayEnv } from '../env.ts';
import { limitStoreContract } from './contract.ts';
import { RedisLimitStore } from './redis.ts';

const redisUrl = readGatewayEnv().REDIS_URL ?? 'redis://127.0.0.1:6379';
// A namespace of our own: the suite cleans only its keys, never the whole (shared) Redis.
const keyPrefix = `portcullis-test:${randomBytes(6).toString('hex')}:`;

async function connected(
  options: ConstructorParameters<typeof RedisLimitStore>[0],
): Promise<RedisLimitStore> {
  const store = new RedisLimitStore(options);
  await store.ready();
  return store;
}

// The contract simulates time through nowMs, so it runs on the caller's clock; production uses Redis'.
limitStoreContract('redis', () => connected({ url: redisUrl, keyPrefix, clock: 'caller' }));

describe('RedisLimitStore', () => {
  it("runs GCRA on Redis' clock by default, whatever the caller's clock says", async () => {
    const store = await connected({ url: redisUrl, keyPrefix });
    const raw = new Redis(redisUrl);
    const window = { name: 'w60', limit: 6, windowSeconds: 60, scope: 'subscription' as const };
    const skewed = Date.now() + 3_600_000; // a gateway whose clock is an hour fast
    const sub = `clock-${randomBytes(4).toString('hex')}`;
    const decision = await store.consume({
      subscriptionId: sub,
      nowMs: skewed,
      identity: {},
      windows: [window],
      quota: null,
    });
    expect(decision.outcome).toBe('allowed');
    const [seconds, micros] = (await raw.time()).map(Number);
    const redisNowUs = (seconds ?? 0) * 1_000_000 + (micros ?? 0);
    const tatUs = Number(await raw.get(`${keyPrefix}{sub:${sub}}:w60:l6`));
    // One 10 s interval past Redis' now, not past the skewed caller's.
    expect(Math.abs(tatUs - 10_000_000 - redisNowUs)).toBeLessThan(2_000_000);
    expect(decision.windows[0]?.resetMs).toBe(10_000);
    await Promise.all([store.close(), raw.quit()]);
  });

  afterAll(async () => {
    const cleaner = new RedisLimitStore({ url: redisUrl, keyPrefix });
    await cleaner.deleteNamespace();
    await cleaner.close();
  });

  it('hash-tags every key of a request with its subscription and gives each an expiry', async () => {
    const store = await connected({ url: redisUrl, keyPrefix, clock: 'caller' });
    const raw = new Redis(redisUrl);
    const now = Date.now();
    const periodStartMs = now - 1_000;
    await store.consume({
      subscriptionId: 'abc',
      nowMs: now,
      identity: { keyId: 'k1', appId: 'a1', ip: '10.0.0.9' },
      windows: [
        { name: 'w60', limit: 5, windowSeconds: 60, scope: 'subscription' },
        { name: 'ip-w10', limit: 2, windowSeconds: 10, scope: 'ip' },
        { name: 'key-w3600', limit: 100, windowSeconds: 3600, scope: 'key' },
      ],
      quota: { limit: 10, periodStartMs, resetAtMs: now + 3_600_000, base: 3 },
    });
    const keys = (await raw.keys(`${keyPrefix}{sub:abc}:*`)).sort();
    expect(keys).toEqual(
      [
        `${keyPrefix}{sub:abc}:ip:10.0.0.9:w10:l2`,
        `${keyPrefix}{sub:abc}:key:k1:w3600:l100`,
        `${keyPrefix}{sub:abc}:q:${periodStartMs}`,
        `${keyPrefix}{sub:abc}:w60:l5`,
      ].sort(),
    );
    expect(await raw.get(`${keyPrefix}{sub:abc}:q:${periodStartMs}`)).toBe('4');
    // The TAT is stored exactly, in microseconds: one interval (12 s) after now.
    expect(await raw.get(`${keyPrefix}{sub:abc}:w60:l5`)).toBe(String(now * 1000 + 12_000_000));
    for (const key of keys) expect(await raw.pttl(key)).toBeGreaterThan(0);
    expect(await raw.pttl(`${keyPrefix}{sub:abc}:w60:l5`)).toBeLessThanOrEqual(12_000);
    await Promise.all([store.close(), raw.quit()]);
  });

  it('publishes a heartbeat and counts the live instances sharing the prefix', async () => {
    const prefix = `${keyPrefix}hb:`;
    const a = await connected({ url: redisUrl, keyPrefix: prefix, heartbeat: true });
    const b = await connected({ url: redisUrl, keyPrefix: prefix, heartbeat: true });
    const started = Date.now();
    while (a.liveInstances < 2 && Date.now() - started < 3_000) await new Promise((r) => setTimeout(r, 50));
    expect(a.liveInstances).toBe(2);
    await b.close();
    await new Promise((r) => setTimeout(r, 1_200));
    expect(a.liveInstances).toBe(1);
    await a.close();
  });

  it('fails fast, without queueing, when Redis is unreachable', async () => {
    const store = new RedisLimitStore({ url: 'redis://127.0.0.1:1', keyPrefix });
    expect(store.available).toBe(false);
    const started = Date.now();
    await expect(
      store.consume({ subscriptionId: 's', nowMs: Date.now(), windows: [], quota: null }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(100);
    await store.close();
  });
});
