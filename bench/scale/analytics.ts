/**
 * Analytics at data scale: generated rollups of one year × 200 APIs × 1,000 subscriptions (or any size),
 * and the portal's analytics verbs timed over them. Called by the data-scale benchmark driver
 * (bench/scale/run.ts) through two entry points, in a freshly migrated scratch database:
 *
 *   const data = await generateAnalyticsData(db, { days: 365, apis: 200, subscriptions: 1_000 });
 *   const rows = await measureAnalytics(db, data, { runs: 3 });
 *
 * - `db` is a Prisma client (`createDb(url)` from @portcullis/db) on that database.
 * - `generateAnalyticsData` seeds one provider org owning every API (one plan each) and one consumer org
 *   whose 10 apps hold every subscription (subscription k is on API k mod apis): the largest tenant on
 *   both sides, so each side's queries read every generated row. Then, per hour of the window
 *   [end − days, end), end = the current hour: one LatencyRollup histogram per subscription, one
 *   UsageRollup row (status class 2) per subscription, and a class-5 row where that hour had errors;
 *   the daily, per-API and per-org rows (LatencyDailyRollup, LatencyApiRollup, LatencyApiDailyRollup,
 *   UsageDailyRollup, and the Org tables of both) are those hourly ones summed, as the rollup writer keeps them. Set-based SQL (generate_series), one statement per table per chunk of
 *   days, in time order (so every index is appended to at a few places); VACUUM ANALYZE at the end.
 *   Generating the same size again in the same database is skipped (the tenants are found by slug).
 * - `measureAnalytics` times `analyticsTimeseries` and `analyticsTop` (packages/services) for the ranges
 *   24 h, 7 d, 30 d, 90 d and 1 y (those that fit in the window), both sides, each ending now (so the
 *   long ranges have partial days at both ends): the median of `runs` calls after one untimed call. It
 *   resolves to rows `{ measure, size, value, unit: 'ms', target: 300 }`.
 */
import type { Db } from '@portcullis/db';
import { analyticsTimeseries, analyticsTop } from '@portcullis/services/verbs/analytics';

/** @public (loaded by bench/scale/run.ts through a dynamic import) */
export interface AnalyticsSize {
  days: number;
  apis: number;
  subscriptions: number;
}

/** @public */
export interface AnalyticsData {
  size: AnalyticsSize;
  providerOrgId: string;
  consumerOrgId: string;
  actorId: string;
  /** Exclusive end of the generated window (an hour start). */
  end: Date;
  /** Rows per rollup table. */
  rows: Record<string, number>;
  seconds: number;
}

/** @public */
export interface AnalyticsRow {
  measure: string;
  size: string;
  value: number;
  unit: 'ms';
  target: number;
  note?: string;
}

const ANALYTICS_TARGET_MS = 300;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const CONSUMER_APPS = 10;
/** Days generated per statement: about 720,000 hourly rows at 1,000 subscriptions. */
const CHUNK_DAYS = 30;
const ANALYTICS_RANGES = [
  { label: '24 h', ms: DAY_MS },
  { label: '7 d', ms: 7 * DAY_MS },
  { label: '30 d', ms: 30 * DAY_MS },
  { label: '90 d', ms: 90 * DAY_MS },
  { label: '1 y', ms: 365 * DAY_MS },
] as const;

const sizeLabel = (size: AnalyticsSize) =>
  `${size.days} d × ${size.apis} APIs × ${size.subscriptions.toLocaleString('en-US')} subs`;

const slugOf = (size: AnalyticsSize) => `scale-analytics-${size.days}-${size.apis}-${size.subscriptions}`;

function checkSize(size: AnalyticsSize): void {
  for (const [name, value, max] of [
    ['days', size.days, 400],
    ['apis', size.apis, 10_000],
    ['subscriptions', size.subscriptions, 100_000],
  ] as const) {
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new RangeError(`analytics size: ${name} must be an integer from 1 to ${max}, got ${value}`);
    }
  }
}

const count = async (db: Db, table: string) =>
  Number(
    (await db.$queryRawUnsafe<Array<{ n: bigint }>>(`SELECT count(*)::bigint AS n FROM "${table}"`))[0]?.n ??
      0,
  );

const ROLLUP_TABLES = [
  'LatencyRollup',
  'LatencyDailyRollup',
  'LatencyApiRollup',
  'LatencyApiDailyRollup',
  'LatencyOrgRollup',
  'LatencyOrgDailyRollup',
  'UsageRollup',
  'UsageDailyRollup',
  'UsageOrgRollup',
  'UsageOrgDailyRollup',
  'UsagePairRollup',
  'UsagePairDailyRollup',
] as const;

async function rowCounts(db: Db): Promise<AnalyticsData['rows']> {
  const rows: Record<string, number> = {};
  for (const table of ROLLUP_TABLES) rows[table] = await count(db, table);
  return rows;
}

/** The tenants, APIs, plans, apps and subscriptions; ids derived from the slug so reruns find them. */
async function seedTenants(db: Db, size: AnalyticsSize, slug: string) {
  const p = slug;
  await db.$executeRawUnsafe(`
    INSERT INTO "User" (id, email, name, "updatedAt") VALUES ('${p}-user', '${p}@bench.invalid', 'Bench', now())`);
  await db.$executeRawUnsafe(`
    INSERT INTO "Organization" (id, slug, name, "updatedAt") VALUES
      ('${p}-prov', '${p}-prov', 'Analytics provider', now()), ('${p}-cons', '${p}-cons', 'Analytics consumer', now())`);
  await db.$executeRawUnsafe(`
    INSERT INTO "Membership" (id, "orgId", "userId", role) VALUES
      ('${p}-m1', '${p}-prov', '${p}-user', 'OWNER'), ('${p}-m2', '${p}-cons', '${p}-user', 'OWNER')`);
  await db.$executeRawUnsafe(`
    INSERT INTO "Api" (id, "orgId", slug, name, "upstreamUrl", status, visibility, "publishedAt", "updatedAt")
    SELECT '${p}-api-' || g, '${p}-prov', 'api-' || g, 'API ' || g, 'https://upstream.example.test',
      'PUBLISHED', 'PUBLIC', now(), now()
    FROM generate_series(0, ${size.apis - 1}) g`);
  await db.$executeRawUnsafe(`
    INSERT INTO "Plan" (id, "apiId", name, "updatedAt")
    SELECT '${p}-plan-' || g, '${p}-api-' || g, 'Standard', now() FROM generate_series(0, ${size.apis - 1}) g`);
  await db.$executeRawUnsafe(`
    INSERT INTO "App" (id, "orgId", name, "updatedAt")
    SELECT '${p}-app-' || g, '${p}-cons', 'App ' || g, now() FROM generate_series(0, ${CONSUMER_APPS - 1}) g`);
  await db.$executeRawUnsafe(`
    INSERT INTO "Subscription" (id, "appId", "planId", status, "currentPeriodStart", "updatedAt")
    SELECT '${p}-sub-' || g, '${p}-app-' || (g % ${CONSUMER_APPS}), '${p}-plan-' || (g % ${size.apis}),
      'ACTIVE', now() - interval '10 days', now()
    FROM generate_series(0, ${size.subscriptions - 1}) g`);
}

/**
 * The hourly rows of the hours [fromHour, toHour) (hour numbers since the window's start). Requests per
 * subscription-hour vary 20…219; latency spreads over the 5–100 ms buckets; every 8th hour of a
 * subscription has errors (1 + r/50 answered 5xx).
 */
async function generateHours(
  db: Db,
  size: AnalyticsSize,
  slug: string,
  start: Date,
  fromHour: number,
  toHour: number,
) {
  const hours = `
    SELECT h, ('${start.toISOString()}'::timestamptz AT TIME ZONE 'UTC') + make_interval(hours => h) AS at, k,
      '${slug}-api-' || (k % ${size.apis}) AS api, '${slug}-sub-' || k AS sid,
      20 + (k * 7 + h * 13) % 200 AS r, CASE WHEN (h + k) % 8 = 0 THEN 1 + (20 + (k * 7 + h * 13) % 200) / 50 ELSE 0 END AS e
    FROM generate_series(${fromHour}, ${toHour - 1}) h, generate_series(0, ${size.subscriptions - 1}) k`;
  await db.$executeRawUnsafe(`
    INSERT INTO "LatencyRollup" (id, "apiId", "subscriptionId", "bucketStart", counts, requests, errors, "updatedAt")
    SELECT 'lr-' || lpad(h::text, 6, '0') || '-' || k, api, sid, at,
      ARRAY[0, 0, r / 8, r / 4, r / 2, r - r / 8 - r / 4 - r / 2 - e, e, 0, 0, 0, 0, 0, 0, 0], r, e, now()
    FROM (${hours}) x ORDER BY h, k`);
  await db.$executeRawUnsafe(`
    INSERT INTO "UsageRollup" (id, "subscriptionId", "bucketStart", "statusClass", requests, billable, "updatedAt")
    SELECT 'ur-' || lpad(h::text, 6, '0') || '-' || k || '-' || cls, sid, at, cls, n, CASE WHEN cls = 5 THEN 0 ELSE n END, now()
    FROM (SELECT h, k, sid, at, 2 AS cls, r - e AS n FROM (${hours}) a
          UNION ALL SELECT h, k, sid, at, 5, e FROM (${hours}) b WHERE e > 0) x
    ORDER BY h, k, cls`);
}

/**
 * The rows derived from the hourly per-subscription ones for the days [fromDay, toDay): summed per UTC
 * day, per API (hourly and daily), as the rollup writer keeps them.
 */
async function generateDays(db: Db, start: Date, fromDay: number, toDay: number) {
  const from = new Date(start.getTime() + fromDay * DAY_MS).toISOString();
  const to = new Date(start.getTime() + toDay * DAY_MS).toISOString();
  const window = `"bucketStart" >= ('${from}'::timestamptz AT TIME ZONE 'UTC') AND "bucketStart" < ('${to}'::timestamptz AT TIME ZONE 'UTC')`;
  const sums = Array.from({ length: 14 }, (_, i) => `sum(counts[${i + 1}])`).join(', ');
  await db.$executeRawUnsafe(`
    INSERT INTO "LatencyDailyRollup" (id, "apiId", "subscriptionId", day, counts, requests, errors, "updatedAt")
    SELECT 'ld-' || "bucketStart"::date || '-' || "subscriptionId", "apiId", "subscriptionId", "bucketStart"::date,
      ARRAY[${sums}]::bigint[], sum(requests), sum(errors), now()
    FROM "LatencyRollup" WHERE ${window}
    GROUP BY "apiId", "subscriptionId", "bucketStart"::date
    ORDER BY 4, 2, 3`);
  await db.$executeRawUnsafe(`
    INSERT INTO "LatencyApiRollup" (id, "apiId", "bucketStart", counts, requests, errors, "updatedAt")
    SELECT 'la-' || "bucketStart" || '-' || "apiId", "apiId", "bucketStart", ARRAY[${sums}]::bigint[], sum(requests),
      sum(errors), now()
    FROM "LatencyRollup" WHERE ${window}
    GROUP BY "apiId", "bucketStart"
    ORDER BY 3, 2`);
  await db.$executeRawUnsafe(`
    INSERT INTO "LatencyApiDailyRollup" (id, "apiId", day, counts, requests, errors, "updatedAt")
    SELECT 'lad-' || "bucketStart"::date || '-' || "apiId", "apiId", "bucketStart"::date, ARRAY[${sums}]::bigint[],
      sum(requests), sum(errors), now()
    FROM "LatencyRollup" WHERE ${window}
    GROUP BY "apiId", "bucketStart"::date
    ORDER BY 3, 2`);
  await db.$executeRawUnsafe(`
    INSERT INTO "UsageDailyRollup" (id, "subscriptionId", day, "statusClass", requests, billable, "updatedAt")
    SELECT 'ud-' || "bucketStart"::date || '-' || "subscriptionId" || '-' || "statusClass", "subscriptionId",
      "bucketStart"::date, "statusClass", sum(requests), sum(billable), now()
    FROM "UsageRollup" WHERE ${window}
    GROUP BY "subscriptionId", "bucketStart"::date, "statusClass"
    ORDER BY 3, 2, 4`);
  await generateOrgDays(db, window, sums);
}

/**
 * The per-org rows (each side's unfiltered charts) and per-API-and-consumer rows (the rankings) of a
 * window: the per-subscription ones summed.
 */
async function generateOrgDays(db: Db, window: string, sums: string) {
  const orgs = `JOIN "Subscription" s ON s.id = r."subscriptionId" JOIN "App" ap ON ap.id = s."appId"
    JOIN "Plan" p ON p.id = s."planId" JOIN "Api" a ON a.id = p."apiId"
    CROSS JOIN LATERAL (VALUES (a."orgId", 'provider'), (ap."orgId", 'consumer')) AS o(org, side)`;
  const dayWindow = window.replaceAll('"bucketStart"', 'day');
  for (const [table, from, time, where] of [
    ['UsageOrgRollup', 'UsageRollup', '"bucketStart"', window],
    ['UsageOrgDailyRollup', 'UsageDailyRollup', 'day', dayWindow],
  ] as const) {
    await db.$executeRawUnsafe(`
      INSERT INTO "${table}" ("orgId", side, ${time}, requests, billable, "updatedAt")
      SELECT o.org, o.side, r.${time}, sum(r.requests), sum(r.billable), now()
      FROM "${from}" r ${orgs} WHERE ${where} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`);
  }
  for (const [table, from, time, where] of [
    ['UsagePairRollup', 'UsageRollup', '"bucketStart"', window],
    ['UsagePairDailyRollup', 'UsageDailyRollup', 'day', dayWindow],
  ] as const) {
    await db.$executeRawUnsafe(`
      INSERT INTO "${table}" ("providerOrgId", ${time}, "apiId", "consumerOrgId", requests, errors, "updatedAt")
      SELECT a."orgId", r.${time}, a.id, ap."orgId", sum(r.requests),
        sum(CASE WHEN r."statusClass" = 5 THEN r.requests ELSE 0 END), now()
      FROM "${from}" r ${orgs} WHERE ${where} AND o.side = 'provider' GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`);
  }
  for (const [table, from, time, where] of [
    ['LatencyOrgRollup', 'LatencyRollup', '"bucketStart"', window],
    ['LatencyOrgDailyRollup', 'LatencyDailyRollup', 'day', dayWindow],
  ] as const) {
    await db.$executeRawUnsafe(`
      INSERT INTO "${table}" ("orgId", side, ${time}, counts, requests, errors, "updatedAt")
      SELECT o.org, o.side, r.${time}, ARRAY[${sums}]::bigint[], sum(r.requests), sum(r.errors), now()
      FROM "${from}" r ${orgs} WHERE ${where} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`);
  }
}

/**
 * @public
 * Seeds the tenants and the rollups of `size` (see the top of this file). The window starts at a UTC
 * day boundary so its days are whole; it ends at the start of the current hour.
 */
export async function generateAnalyticsData(
  db: Db,
  size: AnalyticsSize,
  log: (line: string) => void = () => {},
): Promise<AnalyticsData> {
  checkSize(size);
  const started = performance.now();
  const slug = slugOf(size);
  const ids = { providerOrgId: `${slug}-prov`, consumerOrgId: `${slug}-cons`, actorId: `${slug}-user` };
  const existing = await db.organization.findUnique({
    where: { id: ids.providerOrgId },
    select: { createdAt: true },
  });
  const hourNow = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  const start = new Date(Math.floor((hourNow - size.days * DAY_MS) / DAY_MS) * DAY_MS);
  if (existing) {
    const end = await db.latencyRollup.aggregate({ _max: { bucketStart: true } });
    const last = end._max.bucketStart?.getTime() ?? hourNow - HOUR_MS;
    log(`  analytics data of ${sizeLabel(size)} found, reused`);
    return { size, ...ids, end: new Date(last + HOUR_MS), rows: await rowCounts(db), seconds: 0 };
  }
  await seedTenants(db, size, slug);
  const totalHours = Math.round((hourNow - start.getTime()) / HOUR_MS);
  const totalDays = Math.ceil(totalHours / 24);
  for (let day = 0; day < totalDays; day += CHUNK_DAYS) {
    const toDay = Math.min(totalDays, day + CHUNK_DAYS);
    await generateHours(db, size, slug, start, day * 24, Math.min(totalHours, toDay * 24));
    await generateDays(db, start, day, toDay);
    log(
      `  analytics rollups: ${toDay} of ${totalDays} days (${((performance.now() - started) / 1000).toFixed(0)} s)`,
    );
  }
  for (const table of [...ROLLUP_TABLES, 'Api', 'Plan', 'App', 'Subscription']) {
    await db.$executeRawUnsafe(`VACUUM ANALYZE "${table}"`);
  }
  return {
    size,
    ...ids,
    end: new Date(hourNow),
    rows: await rowCounts(db),
    seconds: (performance.now() - started) / 1000,
  };
}

async function medianMs(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return Math.round((times[Math.floor(times.length / 2)] ?? 0) * 10) / 10;
}

/**
 * @public
 * Times the analytics verbs over every range that fits in the generated window, both sides, ending
 * now (not at an hour or day boundary). `ranges` narrows the ranges by label ('24 h', '1 y', …).
 */
export async function measureAnalytics(
  db: Db,
  data: AnalyticsData,
  options: { runs: number; ranges?: readonly string[]; log?: (line: string) => void },
): Promise<AnalyticsRow[]> {
  const rows: AnalyticsRow[] = [];
  const size = sizeLabel(data.size);
  const now = new Date(Math.min(Date.now(), data.end.getTime() + HOUR_MS - 1));
  const windowMs = now.getTime() - (data.end.getTime() - data.size.days * DAY_MS);
  for (const range of ANALYTICS_RANGES) {
    if (options.ranges && !options.ranges.includes(range.label)) continue;
    if (range.ms > windowMs + DAY_MS) continue;
    for (const side of ['provider', 'consumer'] as const) {
      const ctx = {
        db,
        actor: { id: data.actorId },
        org: { id: side === 'provider' ? data.providerOrgId : data.consumerOrgId },
      };
      const query = { side, from: new Date(now.getTime() - range.ms), to: now };
      let requests = 0;
      const series = await medianMs(options.runs, async () => {
        requests = (await analyticsTimeseries(ctx, query)).totals.requests;
      });
      const top = await medianMs(options.runs, () => analyticsTop(ctx, { ...query, limit: 10 }));
      const note = `${requests.toLocaleString('en-US')} requests in the range`;
      rows.push(
        {
          measure: `timeseries, ${side}, ${range.label}`,
          size,
          value: series,
          unit: 'ms',
          target: ANALYTICS_TARGET_MS,
          note,
        },
        {
          measure: `top, ${side}, ${range.label}`,
          size,
          value: top,
          unit: 'ms',
          target: ANALYTICS_TARGET_MS,
        },
      );
      options.log?.(`  ${side} ${range.label}: timeseries ${series} ms, top ${top} ms (${note})`);
    }
  }
  return rows;
}
