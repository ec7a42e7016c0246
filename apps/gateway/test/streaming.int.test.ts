import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConsumerWithKey, seedProviderWithApi } from '../../../test/fixtures.ts';
import { readGatewayEnv } from '../src/env.ts';
import { RedisLimitStore } from '../src/limits/redis.ts';
import { type ChildGateway, peakGrowth, spawnGateway } from './child-gateway.ts';
import { bearer, eventually, lazyBytes, MB, startWorld, type TestWorld } from './harness.ts';
import { startTestMetering, type TestMetering } from './metering-worker.ts';

const SIZE = 50 * MB;
const BIG = 250 * MB;
/**
 * Growth is measured after a warm-up transfer: the first megabytes through a fresh process grow V8's heap
 * and the allocator's arenas once (measured without warm-up: 23–37 MB on the first 50 MB upload, yet
 * 0–6 MB on a 250 MB one right after), which is start-up cost, not buffering. With a 32 MB warm-up the
 * 50 MB transfers measured 0–18 MB here. Buffering would show as growth of at least the body size.
 */
const MAX_GROWTH = 30 * MB;
const WARM_UP = 32 * MB;

/**
 * The gateway runs as its own process (the real CLI entry), so its RSS is measured alone — the test's
 * client and upstream, which live in this process, do not blur the number.
 */
describe('gateway streaming (CLI process)', () => {
  let world: TestWorld;
  let gateway: ChildGateway;
  let path: string;
  let key: string;
  let subscriptionId: string;
  let metering: TestMetering | undefined;
  const childPrefix = `portcullis-test:${randomBytes(6).toString('hex')}:`;

  beforeAll(async () => {
    const env = readGatewayEnv();
    // The in-process world provides the upstream and the db handle; the gateway under test is the child.
    world = await startWorld({ redis: true });
    // Redis mode: the child puts usage on its streams; a metering worker applies it to Postgres.
    metering = await startTestMetering({
      databaseUrl: env.DATABASE_URL,
      redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      keyPrefix: childPrefix,
    });
    gateway = await spawnGateway({
      DATABASE_URL: env.DATABASE_URL,
      REDIS_URL: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      GATEWAY_REDIS_KEY_PREFIX: childPrefix,
      GATEWAY_PORT: '0',
      USAGE_FLUSH_INTERVAL_MS: '100',
      GATEWAY_UPSTREAM_TIMEOUT_MS: '10000',
    });
    const provider = await seedProviderWithApi(world.db, { upstreamUrl: world.upstream.url });
    // the default Api.policies caps bodies at 10 MB (413); these uploads need a larger cap.
    await world.db.api.update({
      where: { id: provider.api.id },
      data: { policies: { maxBodyBytes: 1024 ** 3 } },
    });
    path = `${gateway.url}/${provider.org.slug}/${provider.api.slug}`;
    const consumer = await seedConsumerWithKey(world.db, provider.plan.id);
    key = consumer.plaintext;
    subscriptionId = consumer.subscription.id;
    const up = await request(`${path}/warm-up`, {
      method: 'PUT',
      headers: { ...bearer(key), 'content-length': String(WARM_UP) },
      body: lazyBytes(WARM_UP),
    });
    await up.body.text();
    const down = await request(`${path}/download?bytes=${WARM_UP}`, { headers: bearer(key) });
    for await (const _chunk of down.body) {
      // drain
    }
  });
  afterAll(async () => {
    await gateway?.stop('SIGKILL');
    await metering?.stop();
    const cleaner = new RedisLimitStore({
      url: readGatewayEnv().REDIS_URL ?? 'redis://127.0.0.1:6379',
      keyPrefix: childPrefix,
    });
    await cleaner.deleteNamespace();
    await cleaner.close();
    await world?.close();
  });

  it('streams a 50 MB request body: the upstream starts receiving before the client finishes sending', async () => {
    let clientDoneAt = 0;
    let answer: Record<string, unknown> = {};
    const body = lazyBytes(SIZE);
    body.once('end', () => {
      clientDoneAt = performance.now();
    });
    const growth = await peakGrowth(
      () => gateway.rss(),
      async () => {
        const res = await request(`${path}/upload`, {
          method: 'PUT',
          headers: {
            ...bearer(key),
            'content-type': 'application/octet-stream',
            'content-length': String(SIZE),
          },
          body,
        });
        expect(res.statusCode).toBe(200);
        answer = (await res.body.json()) as Record<string, unknown>;
      },
    );
    expect(answer.bodyBytes).toBe(SIZE);
    const seen = world.upstream.seen.at(-1);
    expect(seen?.bodyBytes).toBe(SIZE);
    expect(seen?.headers['content-length']).toBe(String(SIZE));
    expect(seen?.receivedAt).toBeLessThan(clientDoneAt);
    expect(growth).toBeLessThan(MAX_GROWTH);
  });

  it('streams a chunked 50 MB upload (no content-length) too', async () => {
    const growth = await peakGrowth(
      () => gateway.rss(),
      async () => {
        const res = await request(`${path}/upload-chunked`, {
          method: 'POST',
          headers: bearer(key),
          body: lazyBytes(SIZE),
        });
        expect(res.statusCode).toBe(200);
        expect(((await res.body.json()) as { bodyBytes: number }).bodyBytes).toBe(SIZE);
      },
    );
    expect(growth).toBeLessThan(MAX_GROWTH);
  });

  it('streams a 250 MB upload with the same bounded memory', async () => {
    const growth = await peakGrowth(
      () => gateway.rss(),
      async () => {
        const res = await request(`${path}/upload-big`, {
          method: 'PUT',
          headers: { ...bearer(key), 'content-length': String(BIG) },
          body: lazyBytes(BIG),
        });
        expect(res.statusCode).toBe(200);
        expect(((await res.body.json()) as { bodyBytes: number }).bodyBytes).toBe(BIG);
      },
    );
    expect(growth).toBeLessThan(MAX_GROWTH);
  });

  it('streams a 50 MB response: the client gets bytes before the upstream finishes sending', async () => {
    let received = 0;
    let firstByteAt = 0;
    const growth = await peakGrowth(
      () => gateway.rss(),
      async () => {
        const res = await request(`${path}/download?bytes=${SIZE}`, { headers: bearer(key) });
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-length']).toBe(String(SIZE));
        for await (const chunk of res.body) {
          if (received === 0) firstByteAt = performance.now();
          received += (chunk as Buffer).length;
        }
      },
    );
    expect(received).toBe(SIZE);
    const finishedAt = world.upstream.seen.at(-1)?.finishedAt ?? 0;
    expect(firstByteAt).toBeGreaterThan(0);
    expect(firstByteAt).toBeLessThan(finishedAt);
    expect(growth).toBeLessThan(MAX_GROWTH);
  });

  it('meters the streamed bytes', async () => {
    const totals = async () => {
      const rows = await world.db.usageRollup.findMany({ where: { subscriptionId } });
      return {
        requests: rows.reduce((sum, r) => sum + r.requests, 0n),
        bytesIn: rows.reduce((sum, r) => sum + r.bytesIn, 0n),
        bytesOut: rows.reduce((sum, r) => sum + r.bytesOut, 0n),
      };
    };
    await eventually(async () => (await totals()).requests === 6n, 5_000);
    const { bytesIn, bytesOut } = await totals();
    expect(bytesIn).toBe(BigInt(2 * SIZE + BIG + WARM_UP));
    expect(bytesOut).toBeGreaterThanOrEqual(BigInt(SIZE + WARM_UP));
    expect(bytesOut).toBeLessThan(BigInt(SIZE + WARM_UP + 10_000));
  });

  it('drains and exits 0 on SIGTERM', async () => {
    const inflight = request(`${path}/slow`, { headers: bearer(key) });
    await eventually(async () => world.upstream.seen.at(-1)?.url === '/slow', 2_000);
    const exitCode = gateway.stop('SIGTERM');
    const res = await inflight;
    // The in-flight request finished (upstream answered after 3 s) before the process exited.
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('late');
    expect(await exitCode).toBe(0);
    expect(gateway.output()).toContain('gateway stopped');
  });
});
