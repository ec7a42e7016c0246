import { randomBytes } from 'node:crypto';
import { createDb, type Db } from '@portcullis/db';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowUpstreamHosts, seedConsumerWithKey, seedProviderWithApi } from '../../../test/fixtures.ts';
import { readGatewayEnv } from '../src/env.ts';
import { RedisLimitStore } from '../src/limits/redis.ts';
import { silentLogger } from '../src/log.ts';
import { metricsRegistry } from '../src/ops/metrics.ts';
import { type GatewayOptions, type RunningGateway, startGateway } from '../src/server.ts';
import { bearer, call, startUpstream, type TestUpstream } from './harness.ts';
import { pool, startRedisCluster, tempDir } from './limits-redis-servers.ts';

const env = readGatewayEnv();
const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// An hour-long window: GCRA refills one request per 72 s at 50/hour, far longer than a test run, so the
// only admissions are the burst and the count must be exact.
const LIMIT = 50;
const WINDOW_SECONDS = 3600;

interface Target {
  path: string;
  key: string;
}

async function seedTargets(db: Db, upstreamUrl: string, count: number): Promise<Target[]> {
  const targets: Target[] = [];
  for (let i = 0; i < count; i++) {
    const provider = await seedProviderWithApi(db, {
      upstreamUrl,
      rateLimit: LIMIT,
      rateLimitWindowSeconds: WINDOW_SECONDS,
      monthlyQuota: null,
    });
    const consumer = await seedConsumerWithKey(db, provider.plan.id);
    targets.push({ path: `/${provider.org.slug}/${provider.api.slug}/x`, key: consumer.plaintext });
  }
  return targets;
}

/** 10× the limit per subscription, spread over both gateways, 100 requests in flight. */
async function drive(gateways: RunningGateway[], targets: Target[]): Promise<Map<string, number[]>> {
  const jobs = targets.flatMap((target) =>
    Array.from({ length: LIMIT * 10 }, (_, i) => ({ target, gateway: gateways[i % gateways.length] })),
  );
  // Interleave subscriptions so every one is hammered at the same time.
  jobs.sort(() => Math.random() - 0.5);
  const statuses = new Map<string, number[]>(targets.map((t) => [t.path, []]));
  await pool(jobs, 100, async ({ target, gateway }) => {
    const res = await call((gateway as RunningGateway).url, target.path, { headers: bearer(target.key) });
    statuses.get(target.path)?.push(res.status);
  });
  return statuses;
}

/** Requests decided without Redis so far (any failure mode): must not move while these tests drive. */
async function degradedTotal(): Promise<number> {
  const metric = metricsRegistry.getSingleMetric('gateway_limiter_degraded_total');
  return ((await metric?.get())?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

async function startPair(options: Partial<GatewayOptions>): Promise<RunningGateway[]> {
  const common: GatewayOptions = {
    databaseUrl: env.DATABASE_URL,
    port: 0,
    usageFlushIntervalMs: 200,
    upstreamTimeoutMs: 5_000,
    requestLogRetention: false,
    log: silentLogger,
    accessLog: () => undefined,
    ...options,
  };
  return Promise.all([startGateway(common), startGateway(common)]);
}

describe('two gateway instances over one Redis', () => {
  const prefix = `portcullis-scale:${randomBytes(6).toString('hex')}:`;
  let db: Db;
  let upstream: TestUpstream;
  let gateways: RunningGateway[] = [];

  beforeAll(async () => {
    db = createDb(env.DATABASE_URL, 5);
    upstream = await startUpstream();
    // The SSRF allow-list is read at startup: allow the loopback test upstream before starting.
    await allowUpstreamHosts(db, ['127.0.0.1']);
    gateways = await startPair({ redisUrl, redisKeyPrefix: prefix });
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await upstream?.close();
    const cleaner = new RedisLimitStore({ url: redisUrl, keyPrefix: prefix });
    await cleaner.deleteNamespace();
    await cleaner.close();
    await db?.$disconnect();
  });

  it('admits exactly the limit when driven concurrently at 10× the limit', async () => {
    expect(gateways.map((g) => g.limitStore)).toEqual(['redis', 'redis']);
    const [target] = await seedTargets(db, upstream.url, 1);
    const degradedBefore = await degradedTotal();
    const statuses = await drive(gateways, [target as Target]);
    // Every decision came from Redis (the local failure mode would also admit about the limit).
    expect(await degradedTotal()).toBe(degradedBefore);
    const all = statuses.get((target as Target).path) ?? [];
    expect(all).toHaveLength(LIMIT * 10);
    expect(all.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(all.filter((s) => s === 429)).toHaveLength(LIMIT * 9);
    expect(upstream.seen).toHaveLength(LIMIT);
  });
});

describe('two gateway instances over a three-master Redis Cluster', () => {
  const prefix = `portcullis-cluster:${randomBytes(6).toString('hex')}:`;
  let db: Db;
  let upstream: TestUpstream;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let cluster: Awaited<ReturnType<typeof startRedisCluster>> | undefined;
  let gateways: RunningGateway[] = [];

  beforeAll(async () => {
    db = createDb(env.DATABASE_URL, 5);
    upstream = await startUpstream();
    dir = await tempDir();
    cluster = await startRedisCluster(dir.path);
    await allowUpstreamHosts(db, ['127.0.0.1']);
    gateways = await startPair({
      redisUrl: undefined,
      redisClusterNodes: cluster.ports.map((port) => ({ host: '127.0.0.1', port })),
      redisKeyPrefix: prefix,
    });
  }, 60_000);
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await cluster?.stop();
    await dir?.remove();
    await upstream?.close();
    await db?.$disconnect();
  });

  it('admits the limit of every subscription within 1 % at 10× the limit, keys spread over slots', async () => {
    expect(gateways.map((g) => g.limitStore)).toEqual(['redis', 'redis']);
    const targets = await seedTargets(db, upstream.url, 8);
    const degradedBefore = await degradedTotal();
    const statuses = await drive(gateways, targets);
    expect(await degradedTotal()).toBe(degradedBefore);
    const admitted = [...statuses.values()].map((list) => list.filter((s) => s === 200).length);
    const total = admitted.reduce((a, b) => a + b, 0);
    const expected = LIMIT * targets.length;
    expect(Math.abs(total - expected)).toBeLessThanOrEqual(expected * 0.01);
    // Every status is an admission or a rate-limit refusal: nothing failed for want of the cluster.
    expect([...statuses.values()].flat().every((s) => s === 200 || s === 429)).toBe(true);

    // The counters really are spread over the masters (8 subscriptions → several hash slots).
    const withKeys = await Promise.all(
      (cluster?.ports ?? []).map(async (port) => {
        const node = new Redis(port, '127.0.0.1');
        const keys = await node.keys(`${prefix}{sub:*`);
        await node.quit();
        return keys.length;
      }),
    );
    expect(withKeys.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
  });
});
