import { randomBytes } from 'node:crypto';
import { createDb, type Db } from '@portcullis/db';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConsumerWithKey, seedProviderWithApi } from '../../../test/fixtures.ts';
import { readGatewayEnv } from '../src/env.ts';
import { gcraParams } from '../src/limits/types.ts';
import { silentLogger } from '../src/log.ts';
import { type RunningGateway, startGateway } from '../src/server.ts';
import { bearer, call, startUpstream, type TestUpstream } from './harness.ts';

const env = readGatewayEnv();
const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const LIMIT = 10_000;
const WINDOW_S = 86_400;

describe('an API set to local-first rate limits', () => {
  const prefix = `portcullis-local-first:${randomBytes(6).toString('hex')}:`;
  let db: Db;
  let upstream: TestUpstream;
  let gateway: RunningGateway;
  let raw: Redis;
  const seeded = {} as Record<'EXACT' | 'LOCAL_FIRST', { path: string; key: string; subscriptionId: string }>;

  beforeAll(async () => {
    db = createDb(env.DATABASE_URL, 3);
    raw = new Redis(redisUrl);
    upstream = await startUpstream();
    for (const accuracy of ['EXACT', 'LOCAL_FIRST'] as const) {
      const provider = await seedProviderWithApi(db, {
        upstreamUrl: upstream.url,
        rateLimit: LIMIT,
        rateLimitWindowSeconds: WINDOW_S,
        monthlyQuota: null,
      });
      await db.api.update({ where: { id: provider.api.id }, data: { rateLimitAccuracy: accuracy } });
      const consumer = await seedConsumerWithKey(db, provider.plan.id);
      seeded[accuracy] = {
        path: `/${provider.org.slug}/${provider.api.slug}/x`,
        key: consumer.plaintext,
        subscriptionId: consumer.subscription.id,
      };
    }
    gateway = await startGateway({
      databaseUrl: env.DATABASE_URL,
      redisUrl,
      redisKeyPrefix: prefix,
      port: 0,
      usageFlushIntervalMs: 200,
      requestLogRetention: false,
      log: silentLogger,
      accessLog: () => undefined,
    });
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length > 0) await raw.del(...keys);
    await raw.quit();
    await upstream?.close();
    await db?.$disconnect();
  });

  /** Requests' worth counted in Redis for the subscription's window (its TAT ahead of Redis' clock). */
  async function countedInRedis(subscriptionId: string): Promise<number> {
    const tat = Number(await raw.get(`${prefix}{sub:${subscriptionId}}:w${WINDOW_S}:l${LIMIT}`));
    const [seconds, micros] = (await raw.time()).map(Number);
    const nowUs = (seconds ?? 0) * 1_000_000 + (micros ?? 0);
    return (tat - nowUs) / gcraParams({ limit: LIMIT, windowSeconds: WINDOW_S }).intervalUs;
  }

  it('counts a lease of 1 % of the limit in Redis and answers from it; exact APIs count one by one', async () => {
    for (const accuracy of ['EXACT', 'LOCAL_FIRST'] as const) {
      for (let i = 0; i < 3; i++) {
        const res = await call(gateway.url, seeded[accuracy].path, { headers: bearer(seeded[accuracy].key) });
        expect(res.status).toBe(200);
        expect(res.headers['ratelimit-policy']).toBe(`"w${WINDOW_S}";q=${LIMIT};w=${WINDOW_S}`);
      }
    }
    // (the window refills one request per 8.64 s, so seconds of test time hardly show)
    expect(Math.round(await countedInRedis(seeded.EXACT.subscriptionId))).toBe(3);
    // One lease of 100 units served all three (the next is asked for only when half is gone).
    expect(Math.round(await countedInRedis(seeded.LOCAL_FIRST.subscriptionId))).toBe(100);
  });
});
