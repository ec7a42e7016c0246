import { billingPeriod, hourStart } from '@portcullis/core/periods';
import { createPgPool, type SqlWriter, sqlWriter } from '@portcullis/db/pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConsumerWithKey, seedProviderWithApi } from '../../../test/fixtures.ts';
import { readGatewayEnv } from '../src/env.ts';
import { type RequestLogEntry, UsageMeter } from '../src/usage/meter.ts';
import { bearer, call, eventually, startWorld, type TestWorld } from './harness.ts';

/** A writer that commits for real, then reports its first transaction as failed (a lost COMMIT ack). */
function losesFirstAck(real: SqlWriter): SqlWriter {
  let loseAck = true;
  return {
    ...real,
    async transaction(fn) {
      const result = await real.transaction(fn);
      if (loseAck) {
        loseAck = false;
        throw new Error('connection reset after COMMIT');
      }
      return result;
    },
  };
}

describe('gateway usage metering', () => {
  let world: TestWorld;
  let sql: SqlWriter;

  beforeAll(async () => {
    world = await startWorld({ redis: true });
    sql = sqlWriter(createPgPool(readGatewayEnv().DATABASE_URL, 2));
  });
  afterAll(async () => {
    await sql?.close();
    await world?.close();
  });

  it('writes rollups, request logs and lastUsedAt for admitted calls only', async () => {
    const provider = await seedProviderWithApi(world.db, {
      upstreamUrl: world.upstream.url,
      rateLimit: 3,
      rateLimitWindowSeconds: 3600,
    });
    const consumer = await seedConsumerWithKey(world.db, provider.plan.id);
    const path = `/${provider.org.slug}/${provider.api.slug}`;
    const ok = await call(world.gateway.url, `${path}/hello`, {
      method: 'POST',
      headers: bearer(consumer.plaintext),
      body: '12345',
    });
    expect(ok.status).toBe(200);
    expect(
      (await call(world.gateway.url, `${path}/status/404`, { headers: bearer(consumer.plaintext) })).status,
    ).toBe(404);
    expect(
      (await call(world.gateway.url, `${path}/status/503`, { headers: bearer(consumer.plaintext) })).status,
    ).toBe(503);
    expect(
      (await call(world.gateway.url, `${path}/limited`, { headers: bearer(consumer.plaintext) })).status,
    ).toBe(429);
    expect((await call(world.gateway.url, `${path}/nokey`)).status).toBe(401);

    // The timer flushes on its own (100 ms interval in tests): no explicit flush here.
    const where = { subscriptionId: consumer.subscription.id };
    await eventually(async () => (await world.db.usageRollup.count({ where })) === 3, 3_000);
    const rows = await world.db.usageRollup.findMany({ where, orderBy: { statusClass: 'asc' } });
    const bucket = hourStart(new Date());
    expect(
      rows.map((r) => ({ c: r.statusClass, req: r.requests, bill: r.billable, at: r.bucketStart.getTime() })),
    ).toEqual([
      { c: 2, req: 1n, bill: 1n, at: bucket.getTime() },
      { c: 4, req: 1n, bill: 1n, at: bucket.getTime() },
      { c: 5, req: 1n, bill: 0n, at: bucket.getTime() },
    ]);
    expect(rows[0]?.bytesIn).toBe(5n);
    expect(rows[0]?.bytesOut).toBe(BigInt(Buffer.byteLength(ok.text)));

    await eventually(
      async () => (await world.db.requestLog.count({ where: { apiId: provider.api.id } })) === 5,
      3_000,
    );
    const logs = await world.db.requestLog.findMany({
      where: { apiId: provider.api.id },
      orderBy: { at: 'asc' },
    });
    expect(logs.map((l) => l.status).sort()).toEqual([200, 401, 404, 429, 503]);
    expect(logs.find((l) => l.status === 429)?.errorCode).toBe('rate_limited');
    expect(logs.find((l) => l.status === 200)).toMatchObject({
      method: 'POST',
      path: `${path}/hello`,
      bytesIn: 5,
      keyId: consumer.apiKey.id,
    });

    const key = await world.db.apiKey.findUniqueOrThrow({ where: { id: consumer.apiKey.id } });
    expect(key.lastUsedAt).not.toBeNull();
    expect(Date.now() - (key.lastUsedAt?.getTime() ?? 0)).toBeLessThan(10_000);
    expect(await world.db.usageBatch.count()).toBeGreaterThan(0);
  });

  it('seeds the quota counter from Postgres usage of the current billing period', async () => {
    const provider = await seedProviderWithApi(world.db, {
      upstreamUrl: world.upstream.url,
      monthlyQuota: 10,
    });
    const consumer = await seedConsumerWithKey(world.db, provider.plan.id);
    // 9 requests already billed this period (e.g. before a Redis restart), 50 in the previous one (ignored).
    // The quota period is anchored to the subscription's period start (limits: billingPeriod).
    const thisMonth = billingPeriod(consumer.subscription.currentPeriodStart, new Date()).start;
    await world.db.usageRollup.createMany({
      data: [
        {
          subscriptionId: consumer.subscription.id,
          bucketStart: thisMonth,
          statusClass: 2,
          requests: 9n,
          billable: 9n,
        },
        {
          subscriptionId: consumer.subscription.id,
          bucketStart: new Date(thisMonth.getTime() - 3_600_000),
          statusClass: 2,
          requests: 50n,
          billable: 50n,
        },
      ],
    });
    const path = `/${provider.org.slug}/${provider.api.slug}/q`;
    const last = await call(world.gateway.url, path, { headers: bearer(consumer.plaintext) });
    expect(last.status).toBe(200);
    expect(last.headers['x-quota-remaining']).toBe('0');
    const denied = await call(world.gateway.url, path, { headers: bearer(consumer.plaintext) });
    expect(denied.status).toBe(429);
    expect(denied.json().code).toBe('quota_exceeded');
  });

  it('flushes buffered usage on close', async () => {
    // Embedded mode: usage is aggregated in memory and written in batches (Redis mode streams it).
    const other = await startWorld({ redis: false, usageFlushIntervalMs: 600_000 });
    const provider = await seedProviderWithApi(other.db, { upstreamUrl: other.upstream.url });
    const consumer = await seedConsumerWithKey(other.db, provider.plan.id);
    for (let i = 0; i < 4; i++) {
      expect(
        (
          await call(other.gateway.url, `/${provider.org.slug}/${provider.api.slug}/x`, {
            headers: bearer(consumer.plaintext),
          })
        ).status,
      ).toBe(200);
    }
    expect(await other.db.usageRollup.count({ where: { subscriptionId: consumer.subscription.id } })).toBe(0);
    await other.gateway.close();
    const rollup = await world.db.usageRollup.findFirstOrThrow({
      where: { subscriptionId: consumer.subscription.id },
    });
    expect(rollup.requests).toBe(4n);
    await other.close();
  });

  it('never counts a batch twice when its commit acknowledgement is lost', async () => {
    const provider = await seedProviderWithApi(world.db, { upstreamUrl: world.upstream.url });
    const consumer = await seedConsumerWithKey(world.db, provider.plan.id);
    // Commits for real, then reports failure once: the meter must retry with the same batch id.
    const flaky = losesFirstAck(sql);
    const errors: string[] = [];
    const meter = new UsageMeter(flaky, {
      flushIntervalMs: 600_000,
      onFlushError: (_e, id) => errors.push(id),
    });
    meter.recordUsage({
      subscriptionId: consumer.subscription.id,
      atMs: Date.now(),
      status: 200,
      bytesIn: 3,
      bytesOut: 4,
    });
    await meter.flush();
    expect(errors).toHaveLength(1);
    expect(meter.pendingBatches).toBe(1);
    await meter.flush();
    expect(meter.pendingBatches).toBe(0);
    const rollups = await world.db.usageRollup.findMany({
      where: { subscriptionId: consumer.subscription.id },
    });
    expect(rollups.map((r) => [r.requests, r.billable, r.bytesIn, r.bytesOut])).toEqual([[1n, 1n, 3n, 4n]]);
    expect(await world.db.usageBatch.count({ where: { id: errors[0] } })).toBe(1);
  });

  it('adds latency histograms per API, subscription and hour, once per batch even when retried', async () => {
    const provider = await seedProviderWithApi(world.db, { upstreamUrl: world.upstream.url });
    const consumer = await seedConsumerWithKey(world.db, provider.plan.id);
    const path = `/${provider.org.slug}/${provider.api.slug}`;
    for (const [suffix, status] of [
      ['/a', 200],
      ['/b', 200],
      ['/status/503', 503],
    ] as const) {
      expect(
        (await call(world.gateway.url, `${path}${suffix}`, { headers: bearer(consumer.plaintext) })).status,
      ).toBe(status);
    }
    expect((await call(world.gateway.url, `${path}/nokey`)).status).toBe(401);
    const where = { apiId: provider.api.id };
    await eventually(async () => {
      const rows = await world.db.latencyRollup.findMany({ where });
      return rows.reduce((sum, r) => sum + r.requests, 0n) === 4n;
    }, 3_000);
    const rows = await world.db.latencyRollup.findMany({ where, orderBy: { subscriptionId: 'asc' } });
    const bucket = hourStart(new Date()).getTime();
    expect(rows.map((r) => [r.subscriptionId, r.requests, r.errors, r.bucketStart.getTime()])).toEqual([
      ['', 1n, 0n, bucket],
      [consumer.subscription.id, 3n, 1n, bucket],
    ]);
    for (const row of rows) {
      expect(row.counts).toHaveLength(14);
      expect(BigInt(row.counts.reduce((a, b) => a + b, 0))).toBe(row.requests);
    }

    // Straight through a meter whose first commit acknowledgement is lost: the retried batch (same id)
    // must not add its histogram twice, and a later batch adds element by element.
    const flaky = losesFirstAck(sql);
    const meter = new UsageMeter(flaky, { flushIntervalMs: 600_000, onFlushError: () => undefined });
    const hour = new Date(Date.UTC(2024, 4, 1, 10));
    const entry = (latencyMs: number, status: number): RequestLogEntry => ({
      id: `lat-${Math.random().toString(36).slice(2)}`,
      at: new Date(hour.getTime() + 60_000),
      orgId: provider.org.id,
      apiId: provider.api.id,
      appId: consumer.app.id,
      keyId: consumer.apiKey.id,
      subscriptionId: consumer.subscription.id,
      method: 'GET',
      path: `${path}/direct`,
      status,
      latencyMs,
      upstreamMs: null,
      bytesIn: 0,
      bytesOut: 0,
      clientIp: null,
      userAgent: null,
      errorCode: null,
    });
    meter.recordLog(entry(3, 200)); // ≤ 5 ms: bucket 2
    meter.recordLog(entry(30, 500)); // ≤ 50 ms: bucket 5
    await meter.flush(); // commits, acknowledgement lost
    expect(meter.pendingBatches).toBe(1);
    await meter.flush(); // the same batch again: already applied
    meter.recordLog(entry(4, 200));
    meter.recordLog(entry(20_000, 504)); // open-ended bucket 13
    await meter.flush();
    expect(meter.pendingBatches).toBe(0);
    const direct = await world.db.latencyRollup.findUniqueOrThrow({
      where: {
        apiId_subscriptionId_bucketStart: {
          apiId: provider.api.id,
          subscriptionId: consumer.subscription.id,
          bucketStart: hour,
        },
      },
    });
    expect(direct.counts).toEqual([0, 0, 2, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect([direct.requests, direct.errors]).toEqual([4n, 2n]);
  });
});
