import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowUpstreamHosts, seedConsumerWithKey, seedProviderWithApi } from '../../../test/fixtures.ts';
import { readGatewayEnv } from '../src/env.ts';
import { silentLogger } from '../src/log.ts';
import { type RunningGateway, startGateway } from '../src/server.ts';
import { bearer, call, eventually, notify, startWorld, type TestWorld } from './harness.ts';

/** Counts calls per path; `/nostore`, `/private`, `/cookie`, `/short` and `/vary` answer with those headers. */
async function startCountingUpstream() {
  const calls = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://u').pathname;
    const n = (calls.get(req.url ?? '') ?? 0) + 1;
    calls.set(req.url ?? '', n);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (path.endsWith('/nostore')) headers['cache-control'] = 'no-store';
    if (path.endsWith('/private')) headers['cache-control'] = 'private, max-age=60';
    if (path.endsWith('/cookie')) headers['set-cookie'] = 'session=1';
    if (path.endsWith('/vary')) headers.vary = 'Accept-Language';
    if (path.endsWith('/tagged')) {
      headers.etag = '"v1"';
      headers['last-modified'] = 'Mon, 02 Nov 2026 10:00:00 GMT';
    }
    res.writeHead(200, headers);
    res.end(JSON.stringify({ call: n, lang: req.headers['accept-language'] ?? null }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    count: (url: string) => calls.get(url) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('response cache (L1 in memory, L2 in Redis)', () => {
  const redisUrl = readGatewayEnv().REDIS_URL ?? 'redis://127.0.0.1:6379';
  let world: TestWorld;
  let second: RunningGateway;
  let upstream: Awaited<ReturnType<typeof startCountingUpstream>>;
  let apiId: string;
  let apiPath: string;
  let keyA: string;
  let keyB: string;
  let redis: Redis;

  async function configure(cache: {
    enabled: boolean;
    ttlSeconds?: number;
    public?: boolean;
  }): Promise<void> {
    await world.db.api.update({ where: { id: apiId }, data: { policies: { cache } } });
    await notify(world.db, { kind: 'api', id: apiId });
  }

  const get = (gateway: string, path: string, key: string, headers: Record<string, string> = {}) =>
    call(gateway, `${apiPath}${path}`, { headers: { ...bearer(key), ...headers } });

  beforeAll(async () => {
    world = await startWorld({ redis: true });
    await allowUpstreamHosts(world.db, ['127.0.0.1']);
    upstream = await startCountingUpstream();
    const provider = await seedProviderWithApi(world.db, { upstreamUrl: upstream.url, rateLimit: 10_000 });
    apiId = provider.api.id;
    apiPath = `/${provider.org.slug}/${provider.api.slug}`;
    await world.db.api.update({
      where: { id: apiId },
      data: { policies: { cache: { enabled: true, ttlSeconds: 60 } } },
    });
    keyA = (await seedConsumerWithKey(world.db, provider.plan.id)).plaintext;
    keyB = (await seedConsumerWithKey(world.db, provider.plan.id)).plaintext;
    second = await startGateway({
      databaseUrl: readGatewayEnv().DATABASE_URL,
      redisUrl,
      redisKeyPrefix: world.redisKeyPrefix,
      port: 0,
      usageFlushIntervalMs: 100,
      log: silentLogger,
      requestLogRetention: false,
    });
    redis = new Redis(redisUrl);
  });
  afterAll(async () => {
    await second?.close();
    await world?.close(); // deletes the test's Redis namespace, cache entries included
    await upstream?.close();
    redis?.disconnect();
  });

  it('answers MISS then HIT, calling the upstream once, and still checks the key', async () => {
    const first = await get(world.gateway.url, '/items?page=1', keyA);
    expect(first.status).toBe(200);
    expect(first.headers['x-cache']).toBe('MISS');
    const hit = await get(world.gateway.url, '/items?page=1', keyA);
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.json()).toEqual(first.json());
    expect(hit.headers['ratelimit-policy']).toBeDefined(); // a hit is a rate-limited, billable call
    expect(hit.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    expect(upstream.count('/items?page=1')).toBe(1);
    const anonymous = await call(world.gateway.url, `${apiPath}/items?page=1`);
    expect(anonymous.status).toBe(401);
    expect((await get(world.gateway.url, '/items?page=2', keyA)).headers['x-cache']).toBe('MISS');
  });

  it('keeps consumers apart unless the cache is public', async () => {
    await get(world.gateway.url, '/mine', keyA);
    const other = await get(world.gateway.url, '/mine', keyB);
    expect(other.headers['x-cache']).toBe('MISS');
    expect(upstream.count('/mine')).toBe(2);
  });

  it('honours no-store from the client and no-store, private and Set-Cookie from the upstream', async () => {
    await get(world.gateway.url, '/fresh', keyA);
    const bypass = await get(world.gateway.url, '/fresh', keyA, { 'cache-control': 'no-store' });
    expect(bypass.headers['x-cache']).toBe('BYPASS');
    expect(upstream.count('/fresh')).toBe(2);
    for (const path of ['/nostore', '/private', '/cookie']) {
      await get(world.gateway.url, path, keyA);
      const again = await get(world.gateway.url, path, keyA);
      expect(again.headers['x-cache']).toBe('MISS');
      expect(upstream.count(path)).toBe(2);
    }
  });

  it('answers conditional requests from the cache with 304 and no body', async () => {
    expect((await get(world.gateway.url, '/tagged', keyA)).headers['x-cache']).toBe('MISS');
    const revalidated = await get(world.gateway.url, '/tagged', keyA, { 'if-none-match': 'W/"v0", "v1"' });
    expect(revalidated.status).toBe(304);
    expect(revalidated.text).toBe('');
    expect(revalidated.headers.etag).toBe('"v1"');
    expect(revalidated.headers['x-cache']).toBe('HIT');
    const changed = await get(world.gateway.url, '/tagged', keyA, { 'if-none-match': '"v0"' });
    expect(changed.status).toBe(200);
    expect(changed.json()).toMatchObject({ call: 1 });
    const since = await get(world.gateway.url, '/tagged', keyA, {
      'if-modified-since': 'Tue, 03 Nov 2026 10:00:00 GMT',
    });
    expect(since.status).toBe(304);
    const older = await get(world.gateway.url, '/tagged', keyA, {
      'if-modified-since': 'Sun, 01 Nov 2026 10:00:00 GMT',
    });
    expect(older.status).toBe(200);
    expect(upstream.count('/tagged')).toBe(1);
  });

  it('keys on the headers named by Vary', async () => {
    await get(world.gateway.url, '/vary', keyA, { 'accept-language': 'en' });
    const fr = await get(world.gateway.url, '/vary', keyA, { 'accept-language': 'fr' });
    expect(fr.headers['x-cache']).toBe('MISS');
    expect(fr.json()).toMatchObject({ lang: 'fr' });
    const en = await get(world.gateway.url, '/vary', keyA, { 'accept-language': 'en' });
    expect(en.headers['x-cache']).toBe('HIT');
    expect(en.json()).toMatchObject({ lang: 'en' });
  });

  it('shares entries between gateway instances through Redis', async () => {
    expect((await get(world.gateway.url, '/shared', keyA)).headers['x-cache']).toBe('MISS');
    // The L2 write is off the response path: wait for it in Redis itself, not through the gateway.
    await eventually(async () => (await redis.keys(`${world.redisKeyPrefix}rc:*`)).length > 0, 2_000);
    const elsewhere = await get(second.url, '/shared', keyA);
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.headers['x-cache']).toBe('HIT');
    expect(upstream.count('/shared')).toBe(1);
  });

  it('drops an API’s entries when its config changes, and shares across consumers when public', async () => {
    await get(world.gateway.url, '/config', keyA);
    expect((await get(world.gateway.url, '/config', keyA)).headers['x-cache']).toBe('HIT');
    await configure({ enabled: true, ttlSeconds: 60, public: true });
    await eventually(
      async () => (await get(world.gateway.url, '/config', keyA)).headers['x-cache'] === 'MISS',
      3_000,
    );
    const calls = upstream.count('/config');
    const shared = await get(world.gateway.url, '/config', keyB);
    expect(shared.headers['x-cache']).toBe('HIT');
    expect(upstream.count('/config')).toBe(calls);

    await configure({ enabled: false });
    await eventually(
      async () => (await get(world.gateway.url, '/config', keyA)).headers['x-cache'] === undefined,
      3_000,
    );
  });
});
