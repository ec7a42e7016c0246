import { DomainError } from '@portcullis/core/errors';
import { emptyLatencyCounts } from '@portcullis/core/latency';
import { getDb, Prisma } from '@portcullis/db';
import { beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { seedOrg, seedUser, uniq } from '../../../../test/fixtures.ts';
import { rebuildOrgRollups } from '../../../../test/org-rollups.ts';
import {
  analyticsScope,
  analyticsSpans,
  analyticsTimeseries,
  analyticsTop,
  quotaBurnDown,
} from './analytics.ts';

const db = getDb();
const at = (iso: string) => new Date(iso);
const H = (n: number) => new Date(Date.UTC(2024, 4, 10, n)); // hours of 2024-05-10

/** Counts with `n` requests in bucket `index` (3: ≤ 10 ms, 6: ≤ 100 ms, 8: ≤ 500 ms). */
function counts(...entries: Array<[index: number, n: number]>): number[] {
  const out = emptyLatencyCounts();
  for (const [index, n] of entries) out[index] = n;
  return out;
}

async function expectDomainError(promise: Promise<unknown>, code: DomainError['code']) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe(code);
}

/**
 * A provider with APIs Maps and Geo; consumer c1 subscribes to both, c2 to Maps; a stranger publishes
 * an API of its own. Traffic on 2024-05-10 between 10:00 and 12:00 UTC, plus daily rollups.
 */
async function seedWorld() {
  const org = async (label: string) => {
    const user = await seedUser(db, label);
    return { user, org: await seedOrg(db, user.id, 'OWNER', label) };
  };
  const [provider, c1, c2, stranger] = [await org('prov'), await org('c1'), await org('c2'), await org('x')];
  const api = (orgId: string, name: string) =>
    db.api.create({
      data: { orgId, name, slug: uniq(name.toLowerCase()), upstreamUrl: 'http://127.0.0.1:9/' },
    });
  const [maps, geo, foreign] = [
    await api(provider.org.id, 'Maps'),
    await api(provider.org.id, 'Geo'),
    await api(stranger.org.id, 'Foreign'),
  ];
  const plan = (apiId: string, monthlyQuota: number | null = 1000) =>
    db.plan.create({ data: { apiId, name: 'Basic', monthlyQuota } });
  const [mapsPlan, geoPlan, foreignPlan] = [await plan(maps.id), await plan(geo.id), await plan(foreign.id)];
  const subscribe = async (orgId: string, planId: string, anchor = at('2024-04-20T06:00:00Z')) => {
    const app = await db.app.create({ data: { orgId, name: uniq('app') } });
    return db.subscription.create({
      data: { appId: app.id, planId, status: 'ACTIVE', currentPeriodStart: anchor },
    });
  };
  const s1Maps = await subscribe(c1.org.id, mapsPlan.id);
  const s1Geo = await subscribe(c1.org.id, geoPlan.id);
  const s2Maps = await subscribe(c2.org.id, mapsPlan.id);
  const sForeign = await subscribe(c1.org.id, foreignPlan.id);

  const hourly = (subscriptionId: string, hour: number, statusClass: number, requests: number) => ({
    subscriptionId,
    bucketStart: H(hour),
    statusClass,
    requests: BigInt(requests),
    billable: BigInt(statusClass === 5 ? 0 : requests),
  });
  await db.usageRollup.createMany({
    data: [
      hourly(s1Maps.id, 10, 2, 100),
      hourly(s1Maps.id, 10, 5, 4),
      hourly(s1Maps.id, 11, 2, 50),
      hourly(s1Geo.id, 10, 2, 7),
      hourly(s2Maps.id, 11, 2, 300),
      hourly(sForeign.id, 10, 2, 9_999),
      // Before the range asked for, and in c1's previous billing period.
      { ...hourly(s1Maps.id, 0, 2, 1), bucketStart: at('2024-04-19T00:00:00Z') },
    ],
  });
  // Daily rollups deliberately differ from the hourly ones: the tests can tell which table was read.
  const daily = (subscriptionId: string, day: string, requests: number) => ({
    subscriptionId,
    day: at(`${day}T00:00:00Z`),
    statusClass: 2,
    requests: BigInt(requests),
    billable: BigInt(requests),
  });
  await db.usageDailyRollup.createMany({
    data: [
      daily(s1Maps.id, '2024-05-01', 1_000),
      daily(s1Maps.id, '2024-05-10', 2_000),
      daily(s2Maps.id, '2024-05-10', 5_000),
      daily(sForeign.id, '2024-05-10', 77_777),
    ],
  });
  const latency = (apiId: string, subscriptionId: string, hour: number, c: number[], errors: number) => ({
    apiId,
    subscriptionId,
    bucketStart: H(hour),
    counts: c,
    requests: BigInt(c.reduce((a, b) => a + b, 0)),
    errors: BigInt(errors),
  });
  await db.latencyRollup.createMany({
    data: [
      latency(maps.id, s1Maps.id, 10, counts([3, 90], [6, 10]), 4),
      latency(maps.id, s1Maps.id, 11, counts([3, 50]), 0),
      latency(maps.id, s2Maps.id, 11, counts([8, 300]), 30),
      latency(maps.id, '', 10, counts([0, 20]), 0), // refused before a subscription was known
      latency(geo.id, s1Geo.id, 10, counts([3, 7]), 0),
      latency(foreign.id, sForeign.id, 10, counts([13, 9_999]), 9_999),
    ],
  });
  // The per-API hourly histograms (the provider side's) are the sums of those rows, as the writer keeps them.
  await db.$executeRaw`
    INSERT INTO "LatencyApiRollup" (id, "apiId", "bucketStart", counts, requests, errors, "updatedAt")
    SELECT gen_random_uuid()::text, "apiId", "bucketStart",
      ARRAY[${Prisma.raw(Array.from({ length: 14 }, (_, i) => `sum(counts[${i + 1}])`).join(', '))}]::bigint[],
      sum(requests), sum(errors), now()
    FROM "LatencyRollup" WHERE "apiId" IN (${Prisma.join([maps.id, geo.id, foreign.id])})
    GROUP BY 2, 3`;
  // Daily histograms differ from the hourly ones too (Maps on 05-10: 40 errors, not 34).
  await db.latencyDailyRollup.createMany({
    data: [
      {
        apiId: maps.id,
        subscriptionId: s1Maps.id,
        day: at('2024-05-10T00:00:00Z'),
        counts: [0n, 0n, 0n, 150n],
        requests: 150n,
        errors: 10n,
      },
      {
        apiId: maps.id,
        subscriptionId: s2Maps.id,
        day: at('2024-05-10T00:00:00Z'),
        counts: [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 300n],
        requests: 300n,
        errors: 30n,
      },
      {
        apiId: maps.id,
        subscriptionId: s1Maps.id,
        day: at('2024-05-01T00:00:00Z'),
        counts: [0n, 0n, 0n, 1_000n],
        requests: 1_000n,
        errors: 0n,
      },
      {
        apiId: foreign.id,
        subscriptionId: sForeign.id,
        day: at('2024-05-10T00:00:00Z'),
        counts: [],
        requests: 9_999n,
        errors: 9_999n,
      },
    ],
  });
  await db.latencyApiDailyRollup.createMany({
    data: [
      {
        apiId: maps.id,
        day: at('2024-05-10T00:00:00Z'),
        counts: [0n, 0n, 0n, 150n, 0n, 0n, 0n, 0n, 300n],
        requests: 450n,
        errors: 40n,
      },
      {
        apiId: maps.id,
        day: at('2024-05-01T00:00:00Z'),
        counts: [0n, 0n, 0n, 1_000n],
        requests: 1_000n,
        errors: 0n,
      },
      { apiId: foreign.id, day: at('2024-05-10T00:00:00Z'), counts: [], requests: 9_999n, errors: 9_999n },
    ],
  });
  // The per-org rows (an org's unfiltered charts) are the sums of those, as the writer keeps them.
  await rebuildOrgRollups(db, [provider.org.id, c1.org.id, c2.org.id, stranger.org.id]);
  const ctx = (orgId: string, userId: string) => ({ db, org: { id: orgId }, actor: { id: userId } });
  return {
    provider: ctx(provider.org.id, provider.user.id),
    c1: ctx(c1.org.id, c1.user.id),
    c2: { ...ctx(c2.org.id, c2.user.id), name: c2.org.name },
    stranger: ctx(stranger.org.id, stranger.user.id),
    c1Org: c1.org,
    c2Org: c2.org,
    maps,
    geo,
    foreign,
    s1Maps,
    s1Geo,
    s2Maps,
    sForeign,
  };
}

let w: Awaited<ReturnType<typeof seedWorld>>;
beforeAll(async () => {
  w = await seedWorld();
});

const day = { from: H(0), to: H(24) };

describe('analyticsSpans', () => {
  it('charts up to 7 days per hour; longer ranges per UTC day, whole days daily and partial ones hourly', () => {
    const hourly = analyticsSpans(at('2024-05-10T10:20:00Z'), at('2024-05-17T10:20:00Z'));
    const hours = { from: H(10), to: at('2024-05-17T11:00:00Z') };
    expect(hourly).toEqual({ grain: 'hour', ...hours, days: null, hours: [hours] });
    const daily = analyticsSpans(at('2024-05-10T10:20:00Z'), at('2024-05-17T10:20:01Z'));
    expect(daily).toEqual({
      grain: 'day',
      ...hours,
      days: { from: at('2024-05-11T00:00:00Z'), to: at('2024-05-17T00:00:00Z') },
      hours: [
        { from: H(10), to: at('2024-05-11T00:00:00Z') },
        { from: at('2024-05-17T00:00:00Z'), to: hours.to },
      ],
    });
    const aligned = analyticsSpans(at('2024-05-01T00:00:00Z'), at('2024-05-11T00:00:00Z'));
    expect(aligned.hours).toEqual([]);
    expect(aligned.days).toEqual({ from: at('2024-05-01T00:00:00Z'), to: at('2024-05-11T00:00:00Z') });
  });
});

describe('analyticsTimeseries', () => {
  it("provider: hourly requests from UsageRollup, error rate and percentiles from its APIs' histograms", async () => {
    const series = await analyticsTimeseries(w.provider, { side: 'provider', ...day });
    expect(series.grain).toBe('hour');
    expect(series.points).toHaveLength(24);
    const h10 = series.points[10]!;
    const h11 = series.points[11]!;
    expect(h10.t).toEqual(H(10));
    // Maps 104 (s1) + Geo 7 (s1); never the stranger's 9 999.
    expect(h10.requests).toBe(111);
    expect(h11.requests).toBe(350);
    // Logged at 10:00: 100 (s1 Maps) + 20 (refused, no subscription) + 7 (Geo) = 127, 4 of them 5xx.
    expect(h10.errors).toBe(4);
    expect(h10.errorRate).toBeCloseTo(4 / 127, 10);
    // p50 of 127: 97 requests ≤ 10 ms, of which 20 ≤ 1 ms → rank 63.5 falls in (5, 10].
    expect(h10.p50).toBeCloseTo(5 + (5 * (63.5 - 20)) / 97, 1);
    // p99: rank 125.73, the 8.73th of the 10 requests in (50, 100].
    expect(h10.p99).toBeCloseTo(50 + (50 * 8.73) / 10, 0);
    expect(h11.p95).toBeGreaterThan(200);
    expect(series.points[9]).toMatchObject({ requests: 0, errors: 0, errorRate: null, p50: null });
    expect(series.totals).toMatchObject({ requests: 461, errors: 34 });
    expect(series.totals.errorRate).toBeCloseTo(34 / 477, 10);
  });

  it('consumer: only its own subscriptions, without refused requests of other callers', async () => {
    const c1 = await analyticsTimeseries(w.c1, { side: 'consumer', ...day });
    // c1 calls the stranger's API too: that is its own traffic.
    expect(c1.points[10]?.requests).toBe(104 + 7 + 9_999);
    expect(c1.points[11]?.requests).toBe(50);
    expect(c1.totals.errors).toBe(4 + 9_999);
    const c2 = await analyticsTimeseries(w.c2, { side: 'consumer', ...day });
    expect(c2.totals).toMatchObject({ requests: 300, errors: 30 });
    expect(c2.totals.p50).toBeGreaterThan(200);
    expect(c2.totals.p50).toBeLessThanOrEqual(500);
    // The stranger has no subscriptions; its own API's provider view stays its own.
    expect((await analyticsTimeseries(w.stranger, { side: 'consumer', ...day })).totals.requests).toBe(0);
    expect((await analyticsTimeseries(w.stranger, { side: 'provider', ...day })).totals.requests).toBe(9_999);
  });

  it('reads the daily rollups for the whole days of ranges over 7 days', async () => {
    const series = await analyticsTimeseries(w.provider, {
      side: 'provider',
      from: at('2024-04-30T00:00:00Z'),
      to: at('2024-05-15T00:00:00Z'),
    });
    expect(series.grain).toBe('day');
    expect(series.points).toHaveLength(15);
    const may10 = series.points.find((p) => p.t.getTime() === at('2024-05-10T00:00:00Z').getTime());
    expect(may10?.requests).toBe(7_000);
    expect(may10?.errors).toBe(40);
    expect(may10?.errorRate).toBeCloseTo(40 / 450, 10);
    expect(series.points[1]).toMatchObject({ t: at('2024-05-01T00:00:00Z'), requests: 1_000, errors: 0 });
    expect(series.totals.requests).toBe(8_000);
  });

  it('reads the partial days at the edges of a daily range from the hourly rollups', async () => {
    // 05-01 10:30 → 05-10 11:10: 05-01 10:00–24:00 and 05-10 00:00–12:00 hourly, 05-02 … 05-09 daily.
    const series = await analyticsTimeseries(w.provider, {
      side: 'provider',
      from: at('2024-05-01T10:30:00Z'),
      to: at('2024-05-10T11:10:00Z'),
    });
    expect(series).toMatchObject({ grain: 'day', from: at('2024-05-01T10:00:00Z'), to: H(12) });
    expect(series.points.map((p) => p.t)).toEqual(
      Array.from({ length: 10 }, (_, i) => new Date(Date.UTC(2024, 4, 1 + i))),
    );
    // Hours 10:00 and 11:00 of 05-10 (hourly: 111 + 350 requests, 34 errors), not the daily 7,000 / 40;
    // nothing of 05-01 (its traffic is in the daily row, whole day), nothing of 04-19.
    expect(series.points.at(-1)).toMatchObject({ requests: 461, errors: 34 });
    expect(series.points[0]).toMatchObject({ requests: 0, errors: 0 });
    expect(series.totals).toMatchObject({ requests: 461, errors: 34 });
  });

  it('filters by API and subscription within the org and refuses ids of other tenants', async () => {
    const geo = await analyticsTimeseries(w.provider, { side: 'provider', ...day, apiId: w.geo.id });
    expect(geo.totals).toMatchObject({ requests: 7, errors: 0 });
    const sub = await analyticsTimeseries(w.provider, {
      side: 'provider',
      ...day,
      subscriptionId: w.s2Maps.id,
    });
    expect(sub.totals.requests).toBe(300);
    await expectDomainError(
      analyticsTimeseries(w.provider, { side: 'provider', ...day, apiId: w.foreign.id }),
      'NOT_FOUND',
    );
    await expectDomainError(
      analyticsTimeseries(w.c2, { side: 'consumer', ...day, subscriptionId: w.s1Maps.id }),
      'NOT_FOUND',
    );
    // A consumer filters by an API it subscribes to, not by one it does not.
    const c2Maps = await analyticsTimeseries(w.c2, { side: 'consumer', ...day, apiId: w.maps.id });
    expect(c2Maps.totals.requests).toBe(300);
    await expectDomainError(
      analyticsTimeseries(w.c2, { side: 'consumer', ...day, apiId: w.geo.id }),
      'NOT_FOUND',
    );
    await expectDomainError(
      analyticsTimeseries(w.stranger, { side: 'provider', ...day, subscriptionId: w.s1Maps.id }),
      'NOT_FOUND',
    );
  });

  it('refuses empty, reversed and over-400-day ranges', async () => {
    for (const range of [
      { from: H(5), to: H(5) },
      { from: H(6), to: H(5) },
      { from: at('2023-01-01T00:00:00Z'), to: at('2024-02-05T00:00:01Z') },
    ]) {
      await expect(analyticsTimeseries(w.provider, { side: 'provider', ...range })).rejects.toBeInstanceOf(
        ZodError,
      );
    }
  });
});

describe('analyticsTop', () => {
  it("ranks a provider's consumers and a consumer's APIs by admitted requests", async () => {
    const top = await analyticsTop(w.provider, { side: 'provider', ...day });
    expect(top.consumers.map((c) => [c.orgId, c.requests, c.errors])).toEqual([
      [w.c2Org.id, 300, 0],
      [w.c1Org.id, 161, 4],
    ]);
    expect(top.apis).toEqual([]);
    const limited = await analyticsTop(w.provider, { side: 'provider', ...day, limit: 1 });
    expect(limited.consumers).toHaveLength(1);
    const apis = await analyticsTop(w.c1, { side: 'consumer', ...day });
    expect(apis.apis.map((a) => [a.apiId, a.requests])).toEqual([
      [w.foreign.id, 9_999],
      [w.maps.id, 154],
      [w.geo.id, 7],
    ]);
    expect(apis.apis[1]?.providerOrg.slug).toBeTruthy();
    const daily = await analyticsTop(w.provider, {
      side: 'provider',
      from: at('2024-04-01T00:00:00Z'),
      to: at('2024-06-01T00:00:00Z'),
    });
    expect(daily.consumers.map((c) => c.requests)).toEqual([5_000, 3_000]);
  });
});

describe('quotaBurnDown', () => {
  it('accumulates used requests per day of the current billing period against the quota', async () => {
    // Period of c1's subscriptions: 2024-04-20T06:00 → 2024-05-20T06:00; now is 2024-05-10T12:00.
    const now = H(12);
    const burn = await quotaBurnDown(w.c1, { side: 'consumer', subscriptionId: w.s1Maps.id }, now);
    expect(burn.period).toEqual({ start: at('2024-04-20T06:00:00Z'), end: at('2024-05-20T06:00:00Z') });
    expect(burn.quota).toBe(1000);
    expect(burn.used).toBe(154);
    expect(burn.points[0]).toEqual({ t: burn.period.start, used: 0 });
    expect(burn.points).toHaveLength(22);
    // Day 19 of the period (05-09 06:00 → 05-10 06:00) has nothing; day 20 ends now, with everything.
    expect(burn.points[20]?.used).toBe(0);
    expect(burn.points.at(-1)).toEqual({ t: now, used: 154 });
    // All 154 fell in the last seven days: 154 per 7 days for the 9.75 days left (not 154 × 30 / 20.25).
    const week = 7 * 86_400_000;
    expect(burn.projection).toMatchObject({
      kind: 'projected',
      projected: Math.round(154 + (154 / week) * (9.75 * 86_400_000)),
      basisMs: week,
      rough: false,
      capped: false,
      reachesQuotaAt: null,
    });
    expect(burn.api).toEqual({ id: w.maps.id, name: 'Maps' });
  });

  it('projects nothing in the first day of a period', async () => {
    const early = new Date(w.s1Maps.currentPeriodStart.getTime() + 30 * 86_400_000 + 60_000);
    const burn = await quotaBurnDown(w.c1, { side: 'consumer', subscriptionId: w.s1Maps.id }, early);
    expect(burn.period.start.getTime()).toBe(early.getTime() - 60_000);
    expect(burn.projection).toEqual({ kind: 'not_enough_data', needMs: 86_400_000 - 60_000 });
  });

  it("is readable by the subscription's provider and by nobody else", async () => {
    const now = H(12);
    const provider = await quotaBurnDown(w.provider, { side: 'provider', subscriptionId: w.s2Maps.id }, now);
    expect(provider.used).toBe(300);
    await expectDomainError(
      quotaBurnDown(w.c2, { side: 'consumer', subscriptionId: w.s1Maps.id }, now),
      'NOT_FOUND',
    );
    await expectDomainError(
      quotaBurnDown(w.stranger, { side: 'provider', subscriptionId: w.s1Maps.id }, now),
      'NOT_FOUND',
    );
    await expectDomainError(
      quotaBurnDown(w.provider, { side: 'consumer', subscriptionId: w.s1Maps.id }, now),
      'NOT_FOUND',
    );
  });
});

describe('analyticsScope', () => {
  it('offers the provider side to orgs with APIs and the consumer side to orgs with subscriptions', async () => {
    const provider = await analyticsScope(w.provider);
    expect(provider.consumer).toBeNull();
    expect(provider.provider?.apis.map((a) => a.name)).toEqual(['Geo', 'Maps']);
    expect(provider.provider?.subscriptions.map((s) => s.id).sort()).toEqual(
      [w.s1Maps.id, w.s1Geo.id, w.s2Maps.id].sort(),
    );
    const c1 = await analyticsScope(w.c1);
    expect(c1.provider).toBeNull();
    expect(c1.consumer?.apis.map((a) => a.name)).toEqual(['Foreign', 'Geo', 'Maps']);
    expect(c1.consumer?.subscriptions.find((s) => s.id === w.s1Maps.id)?.plan.monthlyQuota).toBe(1000);
    const stranger = await analyticsScope(w.stranger);
    expect(stranger.provider?.subscriptions.map((s) => s.id)).toEqual([w.sForeign.id]);
    expect(stranger.consumer).toBeNull();
  });
});
