import { randomBytes } from 'node:crypto';
import type { RedisFailureMode } from '@portcullis/core/policies';
import { createDb, type Db } from '@portcullis/db';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowUpstreamHosts, seedConsumerWithKey, seedProviderWithApi } from '../../../test/fixtures.ts';
import { readGatewayEnv } from '../src/env.ts';
import { silentLogger } from '../src/log.ts';
import { metricsRegistry } from '../src/ops/metrics.ts';
import { type RunningGateway, startGateway } from '../src/server.ts';
import { bearer, call, eventually, startUpstream, type TestUpstream } from './harness.ts';
import { freePorts, type RedisProcess, startRedis, tempDir } from './limits-redis-servers.ts';

const env = readGatewayEnv();
const LIMIT = 10;

async function degradedCount(mode: RedisFailureMode): Promise<number> {
  const metric = metricsRegistry.getSingleMetric('gateway_limiter_degraded_total');
  const values = (await metric?.get())?.values ?? [];
  return values.find((v) => v.labels.mode === mode)?.value ?? 0;
}

describe('Redis killed and restarted under a running gateway', () => {
  const prefix = `portcullis-failover:${randomBytes(6).toString('hex')}:`;
  let db: Db;
  let upstream: TestUpstream;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let redis: RedisProcess;
  let gateway: RunningGateway;
  const paths = {} as Record<RedisFailureMode, { path: string; key: string }>;
  const get = (mode: RedisFailureMode) =>
    call(gateway.url, paths[mode].path, { headers: bearer(paths[mode].key) });

  beforeAll(async () => {
    db = createDb(env.DATABASE_URL, 3);
    upstream = await startUpstream();
    dir = await tempDir();
    const [port] = await freePorts(1);
    redis = await startRedis(port as number, dir.path);
    await allowUpstreamHosts(db, ['127.0.0.1']);
    for (const mode of ['allow', 'deny', 'local'] as const) {
      const provider = await seedProviderWithApi(db, {
        upstreamUrl: upstream.url,
        rateLimit: LIMIT,
        rateLimitWindowSeconds: 3600,
        monthlyQuota: null,
      });
      await db.api.update({ where: { id: provider.api.id }, data: { policies: { redisFailureMode: mode } } });
      const consumer = await seedConsumerWithKey(db, provider.plan.id);
      paths[mode] = { path: `/${provider.org.slug}/${provider.api.slug}/x`, key: consumer.plaintext };
    }
    gateway = await startGateway({
      databaseUrl: env.DATABASE_URL,
      redisUrl: `redis://127.0.0.1:${redis.port}`,
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
    await redis?.kill();
    await dir?.remove();
    await upstream?.close();
    await db?.$disconnect();
  });

  it('applies each API failure mode within 1 s of the crash and returns to Redis after the restart', async () => {
    // While Redis is up every mode counts in Redis: the full limit shows in the headers.
    for (const mode of ['allow', 'deny', 'local'] as const) {
      const res = await get(mode);
      expect(res.status).toBe(200);
      expect(res.headers['ratelimit-policy']).toBe(`"w3600";q=${LIMIT};w=3600`);
      expect(res.headers.ratelimit).toBe(`"w3600";r=${LIMIT - 1};t=360`);
    }
    // A second live instance in the heartbeat set: the local share becomes half the limit.
    const raw = new Redis(redis.port, '127.0.0.1');
    await raw.zadd(`${prefix}{gateway}:instances`, Date.now() + 60_000, 'another-gateway');
    await eventually(async () => (await raw.zcard(`${prefix}{gateway}:instances`)) === 2, 3_000);
    await new Promise((resolve) => setTimeout(resolve, 1_200)); // one heartbeat reads the count
    raw.disconnect();

    const before = {
      allow: await degradedCount('allow'),
      deny: await degradedCount('deny'),
      local: await degradedCount('local'),
    };
    await redis.kill();
    const killedAt = Date.now();

    const allowed = await get('allow');
    expect(allowed.status).toBe(200);
    expect(allowed.headers['ratelimit-policy']).toBeUndefined();

    const denied = await get('deny');
    expect(denied.status).toBe(503);
    expect(denied.headers['content-type']).toBe('application/problem+json');
    expect(denied.headers['retry-after']).toBe('1');
    expect(denied.json()).toMatchObject({ code: 'limiter_unavailable', status: 503 });

    // local: this instance's share (10 / 2 instances = 5), counted in memory from the crash on.
    const local: number[] = [];
    for (let i = 0; i < 8; i++) local.push((await get('local')).status);
    expect(local).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    const limited = await get('local');
    expect(limited.headers['ratelimit-policy']).toBe(`"w3600";q=${LIMIT / 2};w=3600`);
    expect(Date.now() - killedAt).toBeLessThan(1_000);

    expect(await degradedCount('allow')).toBe(before.allow + 1);
    expect(await degradedCount('deny')).toBe(before.deny + 1);
    expect(await degradedCount('local')).toBe(before.local + 9);

    // Back on the same port (empty: no persistence): counting returns to Redis without a restart.
    await redis.restart();
    const back = await eventually(async () => (await get('deny')).status === 200, 5_000);
    expect(back).toBeLessThan(5_000);
    const counted = await get('local');
    expect(counted.status).toBe(200);
    expect(counted.headers['ratelimit-policy']).toBe(`"w3600";q=${LIMIT};w=3600`);
    const allowAgain = await degradedCount('allow');
    expect((await get('allow')).headers.ratelimit).toBe(`"w3600";r=${LIMIT - 1};t=360`);
    expect(await degradedCount('allow')).toBe(allowAgain);
  });

  it('treats a hung Redis (connection open, no answers) as down within 1 s, and recovers', async () => {
    expect((await get('deny')).status).toBe(200);
    redis.signal('SIGSTOP');
    try {
      const started = Date.now();
      const denied = await get('deny');
      expect(denied.status).toBe(503);
      expect(denied.json()).toMatchObject({ code: 'limiter_unavailable' });
      // The command timeout (500 ms) decided it; the next requests skip Redis without waiting.
      expect(Date.now() - started).toBeLessThan(1_000);
      const next = Date.now();
      expect((await get('allow')).status).toBe(200);
      expect(Date.now() - next).toBeLessThan(200);
    } finally {
      redis.signal('SIGCONT');
    }
    await eventually(async () => (await get('deny')).status === 200, 5_000);
  });
});
