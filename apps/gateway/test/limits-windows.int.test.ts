import { randomBytes } from 'node:crypto';
import { billingPeriod } from '@portcullis/core/periods';
import { createDb, type Db } from '@portcullis/db';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowUpstreamHosts, seedConsumerWithKey, seedProviderWithApi } from '../../../test/fixtures.ts';
import { readGatewayEnv } from '../src/env.ts';
import { RedisLimitStore } from '../src/limits/redis.ts';
import { silentLogger } from '../src/log.ts';
import { type RunningGateway, startGateway } from '../src/server.ts';
import { bearer, call, startUpstream, type TestUpstream } from './harness.ts';

const env = readGatewayEnv();
const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('several windows, scopes and the billing-period quota through the gateway (Redis)', () => {
  const prefix = `portcullis-windows:${randomBytes(6).toString('hex')}:`;
  let db: Db;
  let upstream: TestUpstream;
  let gateway: RunningGateway;

  beforeAll(async () => {
    db = createDb(env.DATABASE_URL, 3);
    upstream = await startUpstream();
    await allowUpstreamHosts(db, ['127.0.0.1']);
    gateway = await startGateway({
      databaseUrl: env.DATABASE_URL,
      redisUrl,
      redisKeyPrefix: prefix,
      port: 0,
      usageFlushIntervalMs: 100,
      requestLogRetention: false,
      log: silentLogger,
      accessLog: () => undefined,
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
    const cleaner = new RedisLimitStore({ url: redisUrl, keyPrefix: prefix });
    await cleaner.deleteNamespace();
    await cleaner.close();
    await db?.$disconnect();
  });

  it('lists every policy, reports the most restrictive, and refuses on any window without charging the others', async () => {
    const provider = await seedProviderWithApi(db, {
      upstreamUrl: upstream.url,
      rateLimit: 100,
      rateLimitWindowSeconds: 60,
      monthlyQuota: 50,
    });
    await db.plan.update({
      where: { id: provider.plan.id },
      data: {
        limits: [
          { limit: 3, windowSeconds: 3600, scope: 'ip' },
          { limit: 1000, windowSeconds: 86_400 },
        ],
      },
    });
    const consumer = await seedConsumerWithKey(db, provider.plan.id);
    const path = `/${provider.org.slug}/${provider.api.slug}/w`;
    const first = await call(gateway.url, path, { headers: bearer(consumer.plaintext) });
    expect(first.status).toBe(200);
    expect(first.headers['ratelimit-policy']).toBe(
      '"w60";q=100;w=60, "ip-w3600";q=3;w=3600, "w86400";q=1000;w=86400',
    );
    expect(first.headers.ratelimit).toBe('"ip-w3600";r=2;t=1200');
    for (let i = 0; i < 2; i++) {
      expect((await call(gateway.url, path, { headers: bearer(consumer.plaintext) })).status).toBe(200);
    }
    const denied = await call(gateway.url, path, { headers: bearer(consumer.plaintext) });
    expect(denied.status).toBe(429);
    expect(denied.headers['content-type']).toBe('application/problem+json');
    expect(denied.json()).toMatchObject({ code: 'rate_limited' });
    expect(String(denied.json().detail)).toContain('3 requests per 3600s per ip');
    const retryAfter = Number(denied.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(1190);
    expect(retryAfter).toBeLessThanOrEqual(1200);
    expect(denied.headers.ratelimit).toMatch(/^"ip-w3600";r=0;t=\d+$/);
    // The refusal charged neither the other windows nor the quota: 3 admitted of 50.
    expect(denied.headers['x-quota-remaining']).toBe('47');
    const raw = new Redis(redisUrl);
    const dayKey = `${prefix}{sub:${consumer.subscription.id}}:w86400:l1000`;
    const tatUs = Number(await raw.get(dayKey));
    const intervalUs = 86_400_000_000 / 1000;
    // Three admissions moved the day window's TAT three intervals past the first request.
    expect(tatUs - intervalUs * 3).toBeLessThanOrEqual(Date.now() * 1000);
    expect(tatUs - intervalUs * 3).toBeGreaterThan((Date.now() - 10_000) * 1000);
    await raw.quit();
  });

  it('anchors the quota to the subscription period and seeds it from Postgres usage since its start', async () => {
    const provider = await seedProviderWithApi(db, {
      upstreamUrl: upstream.url,
      rateLimit: 1000,
      monthlyQuota: 10,
    });
    const consumer = await seedConsumerWithKey(db, provider.plan.id);
    // Subscribed 40 days ago at 13:37:00 UTC: the period started on the last anniversary of that.
    const anchor = new Date(Date.now() - 40 * 86_400_000);
    anchor.setUTCHours(13, 37, 0, 0);
    await db.subscription.update({
      where: { id: consumer.subscription.id },
      data: { currentPeriodStart: anchor },
    });
    const { start, end } = billingPeriod(anchor, new Date());
    await db.usageRollup.createMany({
      data: [
        // Inside the current period: counts.
        { subscriptionId: consumer.subscription.id, bucketStart: start, statusClass: 2, requests: 7n },
        // Before it: belongs to the previous period.
        {
          subscriptionId: consumer.subscription.id,
          bucketStart: new Date(start.getTime() - 3_600_000),
          statusClass: 2,
          requests: 100n,
        },
      ],
    });
    const path = `/${provider.org.slug}/${provider.api.slug}/q`;
    const first = await call(gateway.url, path, { headers: bearer(consumer.plaintext) });
    expect(first.status).toBe(200);
    expect(first.headers['x-quota-limit']).toBe('10');
    expect(first.headers['x-quota-remaining']).toBe('2');
    const untilEnd = Math.ceil((end.getTime() - Date.now()) / 1000);
    expect(Math.abs(Number(first.headers['x-quota-reset']) - untilEnd)).toBeLessThanOrEqual(5);

    for (let i = 0; i < 2; i++) {
      expect((await call(gateway.url, path, { headers: bearer(consumer.plaintext) })).status).toBe(200);
    }
    const denied = await call(gateway.url, path, { headers: bearer(consumer.plaintext) });
    expect(denied.status).toBe(429);
    expect(denied.json()).toMatchObject({ code: 'quota_exceeded' });
    expect(String(denied.json().detail)).toContain(end.toISOString().slice(0, 16));
    expect(Math.abs(Number(denied.headers['retry-after']) - untilEnd)).toBeLessThanOrEqual(5);

    const raw = new Redis(redisUrl);
    expect(await raw.get(`${prefix}{sub:${consumer.subscription.id}}:q:${start.getTime()}`)).toBe('10');
    await raw.quit();
  });
});

describe('ip-scoped limits behind a trusted proxy', () => {
  const prefix = `portcullis-ipscope:${randomBytes(6).toString('hex')}:`;
  let db: Db;
  let upstream: TestUpstream;
  let gateway: RunningGateway;

  beforeAll(async () => {
    db = createDb(env.DATABASE_URL, 3);
    upstream = await startUpstream();
    await allowUpstreamHosts(db, ['127.0.0.1']);
    gateway = await startGateway({
      databaseUrl: env.DATABASE_URL,
      redisUrl,
      redisKeyPrefix: prefix,
      port: 0,
      usageFlushIntervalMs: 100,
      requestLogRetention: false,
      trustedProxies: ['127.0.0.1/32', '::1/128'],
      log: silentLogger,
      accessLog: () => undefined,
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
    const cleaner = new RedisLimitStore({ url: redisUrl, keyPrefix: prefix });
    await cleaner.deleteNamespace();
    await cleaner.close();
    await db?.$disconnect();
  });

  it('counts each forwarded client address separately and logs that address, not the proxy', async () => {
    const provider = await seedProviderWithApi(db, { upstreamUrl: upstream.url, rateLimit: 100 });
    await db.plan.update({
      where: { id: provider.plan.id },
      data: { limits: [{ limit: 2, windowSeconds: 3600, scope: 'ip' }] },
    });
    const consumer = await seedConsumerWithKey(db, provider.plan.id);
    const path = `/${provider.org.slug}/${provider.api.slug}/ip`;
    const from = (ip: string) => ({ ...bearer(consumer.plaintext), 'x-forwarded-for': `${ip}, 127.0.0.1` });
    for (let i = 0; i < 2; i++) {
      expect((await call(gateway.url, path, { headers: from('203.0.113.7') })).status).toBe(200);
    }
    expect((await call(gateway.url, path, { headers: from('203.0.113.7') })).status).toBe(429);
    // Same proxy socket, another client behind it: its own budget.
    expect((await call(gateway.url, path, { headers: from('198.51.100.23') })).status).toBe(200);
    await gateway.flushUsage();
    const logged = await db.requestLog.findMany({
      where: { subscriptionId: consumer.subscription.id },
      select: { clientIp: true, status: true },
    });
    expect(new Set(logged.map((l) => l.clientIp))).toEqual(new Set(['203.0.113.7', '198.51.100.23']));
  });
});
