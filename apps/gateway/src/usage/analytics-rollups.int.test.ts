import { emptyLatencyCounts, latencyBucketIndex, percentileFromCounts } from '@portcullis/core/latency';
import { createDb, Prisma } from '@portcullis/db';
import { createPgPool, type SqlWriter, sqlWriter } from '@portcullis/db/pg';
import { analyticsTimeseries, analyticsTop } from '@portcullis/services/verbs/analytics';
import { afterAll, describe, expect, it } from 'vitest';
import { seedConsumerWithKey, seedProviderWithApi } from '../../../../test/fixtures.ts';
import { readGatewayEnv } from '../env.ts';
import { type RequestLogEntry, UsageMeter } from './meter.ts';

/*
 * The meter writes hourly and daily rollups in one transaction; analytics reads whole days from the
 * daily tables and the partial days at a range's edges from the hourly ones. Over ten days of traffic
 * written in many batches (one of them delivered twice), every figure of a daily chart must equal the
 * one computed from the requests themselves, i.e. what summing the hourly rows alone gives; the org's
 * whole chart (per-org rollups) and its chart of one API (per-API and per-subscription rollups) alike.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BASE = Date.UTC(2025, 2, 3); // 2025-03-03T00:00Z

interface Sent {
  atMs: number;
  subscriptionId: string | null;
  status: number;
  latencyMs: number;
}

/** A writer whose first transaction commits but reports a failure (the acknowledgement is lost). */
function losingFirstAck(real: SqlWriter) {
  let lost = false;
  const writer: SqlWriter = {
    ...real,
    transaction: async (fn) => {
      const result = await real.transaction(fn);
      if (!lost) {
        lost = true;
        throw new Error('Connection terminated unexpectedly');
      }
      return result;
    },
  };
  return writer;
}

/** What the requests sent in [from, to) add up to, per UTC day and in total. */
function expected(sent: Sent[], from: number, to: number, subscriptions: ReadonlySet<string | null>) {
  const perDay = new Map<number, { requests: number; logged: number; errors: number; counts: number[] }>();
  const total = { requests: 0, logged: 0, errors: 0, counts: emptyLatencyCounts() };
  for (const s of sent) {
    if (s.atMs < from || s.atMs >= to || !subscriptions.has(s.subscriptionId)) continue;
    const day = Math.floor(s.atMs / DAY) * DAY;
    const d = perDay.get(day) ?? { requests: 0, logged: 0, errors: 0, counts: emptyLatencyCounts() };
    perDay.set(day, d);
    for (const into of [d, total]) {
      if (s.subscriptionId !== null) into.requests += 1;
      into.logged += 1;
      if (s.status >= 500) into.errors += 1;
      const bucket = latencyBucketIndex(s.latencyMs);
      into.counts[bucket] = (into.counts[bucket] ?? 0) + 1;
    }
  }
  return { perDay, total };
}

/** Distinct (subscription, hour or day) keys of the requests: the rollup rows they make. */
const keys = (sent: Sent[], step: number, only?: string) =>
  new Set(
    sent
      .filter((s) => only === undefined || s.subscriptionId === only)
      .map((s) => `${s.subscriptionId}|${Math.floor(s.atMs / step)}`),
  ).size;

const round = (ms: number | null) => (ms === null ? null : Math.round(ms * 10) / 10);

describe('analytics over rollups written by the meter', () => {
  const databaseUrl = readGatewayEnv().DATABASE_URL;
  const db = createDb(databaseUrl, 2);
  const real = sqlWriter(createPgPool(databaseUrl, 2));
  afterAll(async () => {
    await real.close();
    await db.$disconnect();
  });

  it('daily and hourly rollups add up to the same figures, across batches, a redelivery and deletions', async () => {
    const provider = await seedProviderWithApi(db, { upstreamUrl: 'http://127.0.0.1:9', monthlyQuota: null });
    const [c1, c2] = [
      await seedConsumerWithKey(db, provider.plan.id),
      await seedConsumerWithKey(db, provider.plan.id),
    ];
    const errors: unknown[] = [];
    const meter = new UsageMeter(losingFirstAck(real), {
      flushIntervalMs: 60_000,
      onFlushError: (error) => errors.push(error),
    });
    const sent: Sent[] = [];
    const subscriptions = [c1.subscription.id, c2.subscription.id, null];
    for (let i = 0; i < 900; i++) {
      // Spread over 10 days in an order that revisits every day in every batch.
      const atMs = BASE + ((i * 97) % 240) * HOUR + ((i * 13) % 60) * 60_000;
      const subscriptionId = subscriptions[i % 3] ?? null;
      const status = i % 11 === 0 ? 503 : i % 13 === 0 ? 404 : 200;
      const latencyMs = (i * 7919) % 3_000;
      sent.push({ atMs, subscriptionId, status, latencyMs });
      if (subscriptionId !== null)
        meter.recordUsage({ subscriptionId, atMs, status, bytesIn: 1, bytesOut: 2 });
      const entry: RequestLogEntry = {
        id: `an-${provider.api.id}-${i}`,
        at: new Date(atMs),
        orgId: provider.org.id,
        apiId: provider.api.id,
        appId: null,
        keyId: null,
        subscriptionId,
        method: 'GET',
        path: '/x',
        status,
        latencyMs,
        upstreamMs: null,
        bytesIn: 1,
        bytesOut: 2,
        clientIp: null,
        userAgent: null,
        errorCode: null,
      };
      meter.recordLog(entry);
      if (i % 100 === 99) await meter.flush();
    }
    await meter.flush();
    expect(errors).toHaveLength(1); // the lost acknowledgement; its batch was retried, and skipped
    expect(meter.pendingBatches).toBe(0);

    // Every daily histogram is the element-wise sum of its day's hourly ones.
    const mismatched = await db.$queryRaw<Array<{ day: Date }>>`
      SELECT d.day FROM "LatencyDailyRollup" d
      LEFT JOIN (
        SELECT "subscriptionId", "bucketStart"::date AS day, sum(requests) AS requests, sum(errors) AS errors,
          ARRAY[${sumsOfCounts()}] AS counts
        FROM "LatencyRollup" WHERE "apiId" = ${provider.api.id} GROUP BY 1, 2
      ) h ON h."subscriptionId" = d."subscriptionId" AND h.day = d.day
      WHERE d."apiId" = ${provider.api.id}
        AND (h.day IS NULL OR h.requests <> d.requests OR h.errors <> d.errors OR h.counts <> d.counts)`;
    expect(mismatched).toEqual([]);
    // And the per-API histograms (hourly and daily) are those of every caller of the API added up.
    const apiMismatched = await db.$queryRaw<Array<{ at: Date }>>`
      SELECT a."bucketStart" AS at FROM "LatencyApiRollup" a
      FULL JOIN (
        SELECT "bucketStart", sum(requests) AS requests, sum(errors) AS errors, ARRAY[${sumsOfCounts()}] AS counts
        FROM "LatencyRollup" WHERE "apiId" = ${provider.api.id} GROUP BY 1
      ) h USING ("bucketStart")
      WHERE (a."apiId" = ${provider.api.id} OR a."apiId" IS NULL)
        AND (a.counts IS DISTINCT FROM h.counts OR a.requests IS DISTINCT FROM h.requests OR a.errors IS DISTINCT FROM h.errors)
      UNION ALL
      SELECT a.day::timestamp FROM "LatencyApiDailyRollup" a
      FULL JOIN (
        SELECT day, sum(requests) AS requests, sum(errors) AS errors, ARRAY[${sumsOfCounts()}] AS counts
        FROM "LatencyDailyRollup" WHERE "apiId" = ${provider.api.id} GROUP BY 1
      ) h USING (day)
      WHERE (a."apiId" = ${provider.api.id} OR a."apiId" IS NULL)
        AND (a.counts IS DISTINCT FROM h.counts OR a.requests IS DISTINCT FROM h.requests OR a.errors IS DISTINCT FROM h.errors)`;
    expect(apiMismatched).toEqual([]);
    expect(await db.latencyApiRollup.count({ where: { apiId: provider.api.id } })).toBe(
      new Set(sent.map((s) => Math.floor(s.atMs / HOUR))).size,
    );
    expect(await db.latencyDailyRollup.count({ where: { apiId: provider.api.id } })).toBe(keys(sent, DAY));
    expect(await db.latencyRollup.count({ where: { apiId: provider.api.id } })).toBe(keys(sent, HOUR));

    const side = (orgId: string, which: 'provider' | 'consumer') => ({
      db,
      org: { id: orgId },
      actor: { id: provider.owner.id },
      side: which,
      apiId: undefined as string | undefined,
    });
    /** The chart over a range with partial days at both ends, checked against the requests sent. */
    const check = async (
      who: ReturnType<typeof side>,
      scope: ReadonlySet<string | null>,
      counted: Sent[] = sent,
    ) => {
      const from = new Date(BASE + 1 * DAY + 5 * HOUR + 20 * 60_000); // 03-04 05:20
      const to = new Date(BASE + 8 * DAY + 13 * HOUR + 40 * 60_000); // 03-11 13:40
      const series = await analyticsTimeseries(who, { side: who.side, from, to, apiId: who.apiId });
      const hoursFrom = BASE + 1 * DAY + 5 * HOUR;
      const hoursTo = BASE + 8 * DAY + 14 * HOUR;
      expect(series).toMatchObject({ grain: 'day', from: new Date(hoursFrom), to: new Date(hoursTo) });
      const truth = expected(counted, hoursFrom, hoursTo, scope);
      expect(series.points).toHaveLength(8);
      for (const point of series.points) {
        const day = truth.perDay.get(point.t.getTime());
        expect(point, point.t.toISOString()).toMatchObject({
          requests: day?.requests ?? 0,
          errors: day?.errors ?? 0,
          p50: round(day ? percentileFromCounts(day.counts, 0.5) : null),
          p99: round(day ? percentileFromCounts(day.counts, 0.99) : null),
        });
      }
      expect(series.totals).toMatchObject({
        requests: truth.total.requests,
        errors: truth.total.errors,
        p50: round(percentileFromCounts(truth.total.counts, 0.5)),
        p95: round(percentileFromCounts(truth.total.counts, 0.95)),
      });
      expect(series.totals.errorRate).toBeCloseTo(truth.total.errors / truth.total.logged, 12);
      return series;
    };
    const everyone = new Set([c1.subscription.id, c2.subscription.id, null]);
    // The org's whole side (per-org rollups) and one API (per-API and per-subscription rollups) agree.
    const providerSeries = await check(side(provider.org.id, 'provider'), everyone);
    expect(providerSeries.totals.requests).toBeGreaterThan(400);
    await check({ ...side(provider.org.id, 'provider'), apiId: provider.api.id }, everyone);
    await check(side(c1.org.id, 'consumer'), new Set([c1.subscription.id]));

    // Rankings over the same range (per-API-and-consumer rollups, hourly edges and whole days).
    const range = {
      from: new Date(BASE + 1 * DAY + 5 * HOUR + 20 * 60_000),
      to: new Date(BASE + 8 * DAY + 13 * HOUR + 40 * 60_000),
    };
    const admitted = (subscriptionId: string) => {
      const { total } = expected(
        sent,
        BASE + 1 * DAY + 5 * HOUR,
        BASE + 8 * DAY + 14 * HOUR,
        new Set([subscriptionId]),
      );
      return { requests: total.requests, errors: total.errors };
    };
    const providerTop = async () =>
      Object.fromEntries(
        (await analyticsTop(side(provider.org.id, 'provider'), { side: 'provider', ...range })).consumers.map(
          (c) => [c.orgId, { requests: c.requests, errors: c.errors }],
        ),
      );
    const rankedBefore = {
      [c1.org.id]: admitted(c1.subscription.id),
      [c2.org.id]: admitted(c2.subscription.id),
    };
    expect(rankedBefore[c1.org.id]?.requests).toBeGreaterThan(100);
    expect(await providerTop()).toEqual(rankedBefore);
    const c1Top = await analyticsTop(side(c1.org.id, 'consumer'), { side: 'consumer', ...range });
    expect(c1Top.apis.map((a) => ({ apiId: a.apiId, requests: a.requests, errors: a.errors }))).toEqual([
      { apiId: provider.api.id, ...admitted(c1.subscription.id) },
    ]);

    // A deleted subscription: its usage rows go, hourly and daily alike (cascade); its latency rows stay
    // in both grains (no foreign key: the provider's error rates keep the requests it made).
    await db.app.delete({ where: { id: c2.app.id } });
    const c2Rows = async () => ({
      usageHourly: await db.usageRollup.count({ where: { subscriptionId: c2.subscription.id } }),
      usageDaily: await db.usageDailyRollup.count({ where: { subscriptionId: c2.subscription.id } }),
      latencyHourly: await db.latencyRollup.count({ where: { subscriptionId: c2.subscription.id } }),
      latencyDaily: await db.latencyDailyRollup.count({ where: { subscriptionId: c2.subscription.id } }),
    });
    expect(await c2Rows()).toEqual({
      usageHourly: 0,
      usageDaily: 0,
      latencyHourly: keys(sent, HOUR, c2.subscription.id),
      latencyDaily: keys(sent, DAY, c2.subscription.id),
    });
    // Charted per API, c2's requests no longer count as admitted (they still count as logged); the
    // org's whole chart keeps its history (per-org rollups), as does c2's own.
    const withoutC2 = sent.map((s) =>
      s.subscriptionId === c2.subscription.id ? { ...s, subscriptionId: null } : s,
    );
    await check({ ...side(provider.org.id, 'provider'), apiId: provider.api.id }, everyone, withoutC2);
    await check(side(provider.org.id, 'provider'), everyone);
    await check(side(c2.org.id, 'consumer'), new Set([c2.subscription.id]));
    expect(await providerTop()).toEqual(rankedBefore);

    // A deleted API (its subscriptions first, which it cannot outlive): its latency rows stay in both
    // grains; it can no longer be charted on its own, and the org's whole chart keeps its history.
    await db.app.delete({ where: { id: c1.app.id } });
    await db.api.delete({ where: { id: provider.api.id } });
    expect(await db.latencyRollup.count({ where: { apiId: provider.api.id } })).toBe(keys(sent, HOUR));
    expect(await db.latencyDailyRollup.count({ where: { apiId: provider.api.id } })).toBe(keys(sent, DAY));
    await expect(
      analyticsTimeseries(side(provider.org.id, 'provider'), {
        side: 'provider',
        from: new Date(BASE),
        to: new Date(BASE + 10 * DAY),
        apiId: provider.api.id,
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await check(side(provider.org.id, 'provider'), everyone);
    await check(side(c1.org.id, 'consumer'), new Set([c1.subscription.id]));
    expect(await providerTop()).toEqual(rankedBefore);
    // A consumer's ranking names APIs: one that no longer exists is left out.
    expect((await analyticsTop(side(c1.org.id, 'consumer'), { side: 'consumer', ...range })).apis).toEqual(
      [],
    );
  });
});

/** `sum(counts[1]), …, sum(counts[14])` as bigint: the daily histogram the hourly rows add up to. */
function sumsOfCounts() {
  return Prisma.raw(Array.from({ length: 14 }, (_, i) => `sum(counts[${i + 1}])::bigint`).join(', '));
}
