import { randomBytes } from 'node:crypto';
import { createDb, type Db } from '@portcullis/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConsumerWithKey, seedProviderWithApi } from '../../../test/fixtures.ts';
import { readGatewayEnv } from '../src/env.ts';
import { RedisLimitStore } from '../src/limits/redis.ts';
import { spawnGateway } from './child-gateway.ts';
import { bearer, call, eventually, startUpstream, type TestUpstream } from './harness.ts';
import { startTestMetering } from './metering-worker.ts';

const listeningPids = (output: string) =>
  [...output.matchAll(/"pid":(\d+),"msg":"gateway listening"/g)].map((m) => Number(m[1]));

describe('gateway CLI in cluster mode (GATEWAY_WORKERS=2)', () => {
  const env = readGatewayEnv();
  const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redisKeyPrefix = `portcullis-ops:${randomBytes(6).toString('hex')}:`;
  let db: Db;
  let upstream: TestUpstream;

  beforeAll(async () => {
    db = createDb(env.DATABASE_URL, 3);
    upstream = await startUpstream();
  });
  afterAll(async () => {
    await upstream?.close();
    const store = new RedisLimitStore({ url: redisUrl, keyPrefix: redisKeyPrefix });
    await store.deleteNamespace();
    await store.close();
    await db?.$disconnect();
  });

  it('restarts a dead worker, drains a slow in-flight request on SIGTERM, flushes usage, exits 0', async () => {
    const provider = await seedProviderWithApi(db, { upstreamUrl: upstream.url, rateLimit: 10_000 });
    const consumer = await seedConsumerWithKey(db, provider.plan.id);
    const apiPath = `/${provider.org.slug}/${provider.api.slug}`;
    const metering = await startTestMetering({
      databaseUrl: env.DATABASE_URL,
      redisUrl,
      keyPrefix: redisKeyPrefix,
    });
    const gateway = await spawnGateway({
      DATABASE_URL: env.DATABASE_URL,
      REDIS_URL: redisUrl,
      GATEWAY_REDIS_KEY_PREFIX: redisKeyPrefix,
      GATEWAY_PORT: '0',
      GATEWAY_WORKERS: '2',
      USAGE_FLUSH_INTERVAL_MS: '100',
      GATEWAY_UPSTREAM_TIMEOUT_MS: '10000',
    });
    let exitCode: number | null | undefined;
    try {
      await eventually(async () => gateway.output().includes('"msg":"gateway cluster listening"'), 20_000);
      // Each worker's own "listening" line travels through its stdout pipe, which can arrive after the
      // primary's IPC-driven cluster line; wait for both rather than racing them.
      await eventually(async () => new Set(listeningPids(gateway.output())).size === 2, 10_000);
      const workers = listeningPids(gateway.output());
      expect(new Set(workers).size).toBe(2);

      // A worker that dies is replaced; the port keeps answering meanwhile.
      process.kill(workers[0] as number, 'SIGKILL');
      await eventually(async () => listeningPids(gateway.output()).length === 3, 20_000);
      expect(gateway.output()).toContain('worker died unexpectedly; restarting');

      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) {
        statuses.push(
          (await call(gateway.url, `${apiPath}/n${i}`, { headers: bearer(consumer.plaintext) })).status,
        );
      }
      expect(statuses).toEqual(Array(20).fill(200));

      // /metrics on the gateway port aggregates every worker's registry.
      const metrics = await call(gateway.url, '/metrics');
      expect(metrics.status).toBe(200);
      const label = `api="${provider.org.slug}/${provider.api.slug}",status="200"`;
      expect(metrics.text).toContain(`gateway_requests_total{${label}} 20`);

      const slow = call(gateway.url, `${apiPath}/slow`, { headers: bearer(consumer.plaintext) });
      await eventually(async () => upstream.seen.some((r) => r.url.endsWith('/slow')), 5_000);
      const stopping = gateway.stop('SIGTERM');
      const answer = await slow;
      expect(answer.status).toBe(200);
      expect(answer.text).toBe('late');
      exitCode = await stopping;
    } finally {
      exitCode ??= await gateway.stop('SIGKILL');
    }
    expect(exitCode).toBe(0);
    // Usage of every answered request was on the stream before its response ended; the worker applies it.
    await metering.settled();
    await metering.stop();
    const rollups = await db.usageRollup.findMany({ where: { subscriptionId: consumer.subscription.id } });
    expect(rollups.reduce((sum, r) => sum + r.requests, 0n)).toBe(21n);
  });
});
