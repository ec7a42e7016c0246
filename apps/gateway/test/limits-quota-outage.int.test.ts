import { randomBytes, randomUUID } from 'node:crypto';
import { createDb, type Db, prismaSqlRunner } from '@portcullis/db';
import { applyUsageEvents } from '@portcullis/usage/apply';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowUpstreamHosts, seedConsumerWithKey, seedProviderWithApi } from '../../../test/fixtures.ts';
import { readGatewayEnv } from '../src/env.ts';
import { silentLogger } from '../src/log.ts';
import { type RunningGateway, startGateway } from '../src/server.ts';
import { bearer, call, eventually, startUpstream, type TestUpstream } from './harness.ts';
import { freePorts, type RedisProcess, startRedis, tempDir } from './limits-redis-servers.ts';

/*
 * A monthly quota through a Redis outage in `local` mode: the in-memory counter starts from a fresh
 * Postgres figure (not the config cache's), follows usage other gateways write to Postgres, and when
 * Redis comes back empty its counter starts from a figure that includes what the outage admitted.
 * The config cache is kept for 10 minutes, so its figure of the period's usage stays stale throughout.
 */

const env = readGatewayEnv();
const REFRESH_MS = 300;

describe('quota through a Redis outage (local failure mode)', () => {
  const prefix = `portcullis-quota-outage:${randomBytes(6).toString('hex')}:`;
  let db: Db;
  let upstream: TestUpstream;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let redis: RedisProcess;
  let gateway: RunningGateway;
  let probe: Seeded;

  /** A published API in `mode`, a plan with a hard monthly quota and no rate limit, and a key on it. */
  async function seedQuotaApi(quota: number | null, mode: 'local' | 'deny' = 'local') {
    const provider = await seedProviderWithApi(db, {
      upstreamUrl: upstream.url,
      rateLimit: null,
      monthlyQuota: quota,
    });
    await db.api.update({ where: { id: provider.api.id }, data: { policies: { redisFailureMode: mode } } });
    const consumer = await seedConsumerWithKey(db, provider.plan.id);
    return {
      subscriptionId: consumer.subscription.id,
      path: `/${provider.org.slug}/${provider.api.slug}/x`,
      key: consumer.plaintext,
    };
  }
  type Seeded = Awaited<ReturnType<typeof seedQuotaApi>>;

  /** `times` requests one after another: each status, with the refusals' problem code. */
  async function statuses(api: Seeded, times: number): Promise<string[]> {
    const result: string[] = [];
    for (let i = 0; i < times; i++) {
      const res = await call(gateway.url, api.path, { headers: bearer(api.key) });
      result.push(res.status === 200 ? '200' : `${res.status} ${(res.json() as { code?: string }).code}`);
    }
    return result;
  }
  const admitted = (list: string[]) => list.filter((s) => s === '200').length;

  /**
   * One request while Redis is up: the cache keeps the period's usage as 0, Redis counts 1, and its usage
   * event waits on the stream (no metering worker here) — gone with Redis, never in Postgres.
   */
  async function warm(api: Seeded): Promise<void> {
    expect(await statuses(api, 1)).toEqual(['200']);
    await gateway.flushUsage(); // the event's XADD is acknowledged: it did not fall back to Postgres
  }

  /** Usage another gateway recorded in Postgres (the same idempotent apply its fallback uses). */
  async function usageElsewhere(subscriptionId: string, requests: number): Promise<void> {
    const atMs = Date.now();
    const events = Array.from({ length: requests }, () => ({
      id: randomUUID(),
      subscriptionId,
      atMs,
      status: 200,
      billable: true,
      bytesIn: 0,
      bytesOut: 0,
    }));
    expect((await applyUsageEvents(prismaSqlRunner(db), events)).applied).toBe(requests);
  }

  const outage = async () => {
    await redis.kill();
    // The probe API (deny mode, no quota) shows when the gateway decides without Redis.
    await eventually(async () => (await statuses(probe, 1))[0] === '503 limiter_unavailable', 5_000);
  };
  const recovery = async () => {
    await redis.restart(); // empty: no persistence
    await eventually(async () => (await statuses(probe, 1))[0] === '200', 5_000);
  };

  beforeAll(async () => {
    db = createDb(env.DATABASE_URL, 3);
    upstream = await startUpstream();
    dir = await tempDir();
    const [port] = await freePorts(1);
    redis = await startRedis(port as number, dir.path);
    await allowUpstreamHosts(db, ['127.0.0.1']);
    probe = await seedQuotaApi(null, 'deny');
    gateway = await startGateway({
      databaseUrl: env.DATABASE_URL,
      redisUrl: `redis://127.0.0.1:${redis.port}`,
      redisKeyPrefix: prefix,
      port: 0,
      usageFlushIntervalMs: 200,
      requestLogRetention: false,
      configCacheTtlMs: 600_000,
      // Generous wait so a loaded machine still reads Postgres in time: the figures are exact.
      quotaUsage: { waitMs: 2_000, refreshMs: REFRESH_MS },
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

  it('admits nothing during the outage or after an empty Redis returns once Postgres shows the quota used', async () => {
    const api = await seedQuotaApi(5);
    await warm(api);
    await usageElsewhere(api.subscriptionId, 5);

    await outage();
    const during = await statuses(api, 7);
    expect(during).toEqual(Array(7).fill('429 quota_exceeded'));

    await recovery();
    const after = await statuses(api, 7);
    expect(after).toEqual(Array(7).fill('429 quota_exceeded'));
  });

  it('admits exactly the rest of the quota during the outage and nothing more once Redis returns empty', async () => {
    const api = await seedQuotaApi(6);
    await warm(api);
    await usageElsewhere(api.subscriptionId, 2);

    await outage();
    const during = await statuses(api, 7);
    // 6 − 2 already in Postgres = 4 (the first request's count in Redis is within those 2)
    expect(during).toEqual([...Array(4).fill('200'), ...Array(3).fill('429 quota_exceeded')]);
    await gateway.flushUsage();

    await recovery();
    const after = await statuses(api, 7);
    expect(admitted(after)).toBe(0);
    expect(after).toEqual(Array(7).fill('429 quota_exceeded'));
  });

  it('raises the counter of an empty Redis back from Postgres even when no request saw the outage', async () => {
    const api = await seedQuotaApi(5);
    await warm(api);
    await usageElsewhere(api.subscriptionId, 5);
    await outage(); // only the probe (another API) is called while Redis is away
    await recovery();
    expect(await statuses(api, 7)).toEqual(Array(7).fill('429 quota_exceeded'));
  });

  it('follows usage other gateways write to Postgres during a long outage', async () => {
    const api = await seedQuotaApi(10);
    await warm(api);

    await outage();
    expect(await statuses(api, 2)).toEqual(['200', '200']); // counter: 1 (Redis) + 2
    await gateway.flushUsage(); // this gateway's 2 are in Postgres
    await usageElsewhere(api.subscriptionId, 6); // Postgres: 8
    await new Promise((resolve) => setTimeout(resolve, REFRESH_MS + 100));
    // The next decision re-reads Postgres (8 used) and admits the last 2 of 10.
    expect(await statuses(api, 5)).toEqual(['200', '200', ...Array(3).fill('429 quota_exceeded')]);
    await gateway.flushUsage();

    await recovery();
    expect(await statuses(api, 3)).toEqual(Array(3).fill('429 quota_exceeded'));
  });
});
