import { blocksAtQuota, ZPlanPricing } from '@portcullis/core/billing/pricing';
import { notFound } from '@portcullis/core/errors';
import {
  emptyLatencyCounts,
  LATENCY_BUCKET_COUNT,
  mergeCounts,
  percentileFromCounts,
} from '@portcullis/core/latency';
import { billingPeriod, hourStart } from '@portcullis/core/periods';
import { ZId, zInputDate } from '@portcullis/core/schemas';
import { errorRate, projectionWindowStart, projectPeriodUsage } from '@portcullis/core/usage-metrics';
import { Prisma } from '@portcullis/db';
import { z } from 'zod';
import { type OrgCtx, readDb } from './context.ts';

/**
 * Analytics for the portal's charts. Everything here reads rollups, never RequestLog: request counts
 * from the usage rollups, error rates and latency percentiles from the latency histograms. A chart of an
 * org's whole side reads the per-org rollups (one row per hour or day whatever the number of APIs and
 * subscriptions); filtered by API or subscription, or ranked (`top`), the per-API and per-subscription
 * ones (see usageSource and latencySource). A range is read at whole hours: its whole UTC days from the daily
 * tables, the partial days at its edges from the hourly ones (`analyticsSpans`), so a year reads about
 * 365 rows per subscription instead of 8,760 and the totals are those of the hours asked for. Every
 * query is scoped by the org through its APIs (provider side) or its apps' subscriptions (consumer side).
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Ranges up to this long are charted per hour from the hourly rollups; longer ones per day. */
const HOURLY_MAX_RANGE_MS = 7 * DAY_MS;
const MAX_RANGE_DAYS = 400;

/** Which of the org's roles to chart: the APIs it publishes or the APIs its apps call. */
export const ZAnalyticsSide = z.enum(['provider', 'consumer']);
export type AnalyticsSide = z.infer<typeof ZAnalyticsSide>;

export const ZAnalyticsQuery = z
  .object({
    side: ZAnalyticsSide,
    from: zInputDate('from'),
    to: zInputDate('to'),
    apiId: ZId.optional(),
    subscriptionId: ZId.optional(),
  })
  .refine((q) => q.to.getTime() > q.from.getTime(), { path: ['to'], message: 'End must be after start' })
  .refine((q) => q.to.getTime() - q.from.getTime() <= MAX_RANGE_DAYS * DAY_MS, {
    path: ['from'],
    message: `The range can be at most ${MAX_RANGE_DAYS} days`,
  });
export type AnalyticsQuery = z.infer<typeof ZAnalyticsQuery>;

export const ZAnalyticsTopQuery = ZAnalyticsQuery.and(
  z.object({ limit: z.number().int().min(1).max(50).default(10) }),
);

export const ZQuotaBurnDownQuery = z.object({ side: ZAnalyticsSide, subscriptionId: ZId });

type Grain = 'hour' | 'day';

interface Span {
  from: Date;
  to: Date;
}

/**
 * The range widened to whole hours (the finest rollup), its chart grain, and the parts each table
 * reads: `days`, the whole UTC days inside it (daily rollups), and `hours`, the hours of the partial
 * days at its edges (hourly rollups). A range charted per hour reads hours only.
 */
export function analyticsSpans(
  from: Date,
  to: Date,
): { grain: Grain; from: Date; to: Date; days: Span | null; hours: Span[] } {
  const grain: Grain = to.getTime() - from.getTime() <= HOURLY_MAX_RANGE_MS ? 'hour' : 'day';
  const start = Math.floor(from.getTime() / HOUR_MS) * HOUR_MS;
  const end = Math.ceil(to.getTime() / HOUR_MS) * HOUR_MS;
  const whole = { from: new Date(start), to: new Date(end) };
  const firstDay = Math.ceil(start / DAY_MS) * DAY_MS;
  const lastDay = Math.floor(end / DAY_MS) * DAY_MS;
  if (grain === 'hour' || firstDay >= lastDay) return { grain, ...whole, days: null, hours: [whole] };
  const hours: Span[] = [];
  if (start < firstDay) hours.push({ from: whole.from, to: new Date(firstDay) });
  if (lastDay < end) hours.push({ from: new Date(lastDay), to: whole.to });
  return { grain, ...whole, days: { from: new Date(firstDay), to: new Date(lastDay) }, hours };
}

type Spans = ReturnType<typeof analyticsSpans>;

const sqlTimestamp = (at: Date) => at.toISOString().slice(0, 23).replace('T', ' ');

/** Refuses filters outside the org's scope as NOT_FOUND, so ids of other tenants cannot be probed. */
async function checkFilters(ctx: OrgCtx, q: Pick<AnalyticsQuery, 'side' | 'apiId' | 'subscriptionId'>) {
  if (q.apiId) {
    const api =
      q.side === 'provider'
        ? await ctx.db.api.findFirst({ where: { id: q.apiId, orgId: ctx.org.id }, select: { id: true } })
        : await ctx.db.subscription.findFirst({
            where: { plan: { apiId: q.apiId }, app: { orgId: ctx.org.id } },
            select: { id: true },
          });
    if (!api) throw notFound('API');
  }
  if (q.subscriptionId) await scopedSubscription(ctx, q.side, q.subscriptionId);
}

function scopedSubscription(ctx: OrgCtx, side: AnalyticsSide, subscriptionId: string) {
  const where =
    side === 'provider'
      ? { id: subscriptionId, plan: { api: { orgId: ctx.org.id } } }
      : { id: subscriptionId, app: { orgId: ctx.org.id } };
  return ctx.db.subscription
    .findFirst({
      where,
      select: {
        id: true,
        currentPeriodStart: true,
        app: { select: { name: true, org: { select: { name: true } } } },
        plan: {
          select: {
            name: true,
            monthlyQuota: true,
            pricing: true,
            api: { select: { id: true, name: true } },
          },
        },
      },
    })
    .then((found) => found ?? Promise.reject(notFound('Subscription')));
}

/**
 * The ids of the subscriptions on the org's side, with the optional filters, as a subquery. Rollups are
 * filtered with `IN (…)` (one hash probe per row) and joined to names only after aggregation.
 */
function scopedSubscriptionIds(ctx: OrgCtx, q: AnalyticsQuery) {
  const owner =
    q.side === 'provider'
      ? Prisma.sql`JOIN "Api" a ON a.id = p."apiId" WHERE a."orgId" = ${ctx.org.id}`
      : Prisma.sql`JOIN "App" ap ON ap.id = s."appId" WHERE ap."orgId" = ${ctx.org.id}`;
  return Prisma.sql`(SELECT s.id FROM "Subscription" s JOIN "Plan" p ON p.id = s."planId" ${owner}
    ${q.apiId ? Prisma.sql`AND p."apiId" = ${q.apiId}` : Prisma.empty}
    ${q.subscriptionId ? Prisma.sql`AND s.id = ${q.subscriptionId}` : Prisma.empty})`;
}

/** An org's whole side, unfiltered: charted from the per-org rollups (rows per org, not per subscription). */
const wholeSide = (q: Pick<AnalyticsQuery, 'apiId' | 'subscriptionId'>) => !q.apiId && !q.subscriptionId;

/**
 * The usage tables a query reads and their WHERE (alias r). The whole side: the org's own rows
 * (UsageOrgRollup, whose unique key leads with org and side). Filtered, or per subscription (`top`): the
 * rows of the scope's subscriptions, which the unique (subscriptionId, time, statusClass) index serves as
 * one range per subscription.
 */
function usageSource(ctx: OrgCtx, q: AnalyticsQuery, perSubscription: boolean) {
  if (!perSubscription && wholeSide(q)) {
    return {
      hourly: Prisma.sql`"UsageOrgRollup"`,
      daily: Prisma.sql`"UsageOrgDailyRollup"`,
      where: Prisma.sql`r."orgId" = ${ctx.org.id} AND r.side = ${q.side}`,
    };
  }
  return {
    hourly: Prisma.sql`"UsageRollup"`,
    daily: Prisma.sql`"UsageDailyRollup"`,
    where: Prisma.sql`r."subscriptionId" IN ${scopedSubscriptionIds(ctx, q)}`,
  };
}

/**
 * `select` (over alias r, with `bucket`: the start of the row's chart bucket, a timestamp) over the
 * usage rollups of the range on the org's side: one branch per span, UNION ALL, each filtered by its time
 * window and the source's scope. `perSubscription`: rows that carry "subscriptionId" and "statusClass".
 */
function usageBranches(
  ctx: OrgCtx,
  q: AnalyticsQuery,
  spans: Spans,
  select: (bucket: Prisma.Sql) => Prisma.Sql,
  perSubscription = false,
) {
  const source = usageSource(ctx, q, perSubscription);
  const branches = spans.hours.map(
    (
      span,
    ) => Prisma.sql`${select(hourlyBucket(spans.grain, Prisma.sql`r."bucketStart"`))} FROM ${source.hourly} r
      WHERE r."bucketStart" >= ${sqlTimestamp(span.from)}::timestamp AND r."bucketStart" < ${sqlTimestamp(span.to)}::timestamp
        AND ${source.where}`,
  );
  if (spans.days) {
    branches.push(Prisma.sql`${select(Prisma.sql`r.day::timestamp`)} FROM ${source.daily} r
      WHERE r.day >= ${sqlTimestamp(spans.days.from)}::date AND r.day < ${sqlTimestamp(spans.days.to)}::date
        AND ${source.where}`);
  }
  return Prisma.join(branches, ' UNION ALL ');
}

/** An hourly row's chart bucket: its own hour (no per-row function), or its UTC day. */
const hourlyBucket = (grain: Grain, column: Prisma.Sql) =>
  grain === 'hour' ? column : Prisma.sql`date_trunc('day', ${column})`;

/**
 * The latency tables a query reads and their WHERE (alias l). The whole side: the org's own rows
 * (LatencyOrgRollup: provider counts every request to its APIs, consumer its subscriptions'). Provider: every request to its APIs,
 * including those refused before a subscription was known, from the per-API tables (rows per API, not
 * per subscription, whatever the number of callers); filtered by a subscription, that subscription's
 * rows. Consumer: the rows of its subscriptions only, matched on (apiId, subscriptionId), the unique
 * index's leading columns.
 */
function latencySource(ctx: OrgCtx, q: AnalyticsQuery) {
  if (wholeSide(q)) {
    return {
      hourly: Prisma.sql`"LatencyOrgRollup"`,
      daily: Prisma.sql`"LatencyOrgDailyRollup"`,
      where: Prisma.sql`l."orgId" = ${ctx.org.id} AND l.side = ${q.side}`,
    };
  }
  const apiFilter = q.apiId ? Prisma.sql`AND l."apiId" = ${q.apiId}` : Prisma.empty;
  if (q.side === 'provider' && !q.subscriptionId) {
    return {
      hourly: Prisma.sql`"LatencyApiRollup"`,
      daily: Prisma.sql`"LatencyApiDailyRollup"`,
      where: Prisma.sql`l."apiId" IN (SELECT id FROM "Api" WHERE "orgId" = ${ctx.org.id}) ${apiFilter}`,
    };
  }
  const scope =
    q.side === 'provider'
      ? Prisma.sql`l."apiId" IN (SELECT id FROM "Api" WHERE "orgId" = ${ctx.org.id})`
      : Prisma.sql`(l."apiId", l."subscriptionId") IN (SELECT p."apiId", s.id FROM "Subscription" s
          JOIN "App" ap ON ap.id = s."appId" JOIN "Plan" p ON p.id = s."planId" WHERE ap."orgId" = ${ctx.org.id})`;
  return {
    hourly: Prisma.sql`"LatencyRollup"`,
    daily: Prisma.sql`"LatencyDailyRollup"`,
    where: Prisma.sql`${scope} ${apiFilter}
      ${q.subscriptionId ? Prisma.sql`AND l."subscriptionId" = ${q.subscriptionId}` : Prisma.empty}`,
  };
}

/**
 * The latency histograms of the range summed per chart bucket: one grouped branch per span, grouped
 * by the plain column (an expression per row, such as extract(epoch), costs more than the sums).
 */
function latencyBranches(ctx: OrgCtx, q: AnalyticsQuery, spans: Spans) {
  const sums = Prisma.sql`sum(l.requests)::bigint AS logged, sum(l.errors)::bigint AS errors, ${COUNT_SUMS}`;
  const source = latencySource(ctx, q);
  const branches = spans.hours.map((span) => {
    const bucket = hourlyBucket(spans.grain, Prisma.sql`l."bucketStart"`);
    return Prisma.sql`SELECT ${bucket} AS bucket, ${sums}
      FROM ${source.hourly} l
      WHERE l."bucketStart" >= ${sqlTimestamp(span.from)}::timestamp AND l."bucketStart" < ${sqlTimestamp(span.to)}::timestamp
        AND ${source.where}
      GROUP BY ${bucket}`;
  });
  if (spans.days) {
    branches.push(Prisma.sql`SELECT l.day::timestamp AS bucket, ${sums}
      FROM ${source.daily} l
      WHERE l.day >= ${sqlTimestamp(spans.days.from)}::date AND l.day < ${sqlTimestamp(spans.days.to)}::date
        AND ${source.where}
      GROUP BY l.day`);
  }
  return Prisma.sql`SELECT extract(epoch FROM b.bucket)::bigint AS t, b.* FROM (${Prisma.join(branches, ' UNION ALL ')}) b`;
}

/** `sum(l.counts[1]) AS c1, …`: adding histograms index by index is one pass, unlike unnest. */
const COUNT_SUMS = Prisma.raw(
  Array.from({ length: LATENCY_BUCKET_COUNT }, (_, i) => `sum(l.counts[${i + 1}])::bigint AS c${i + 1}`).join(
    ', ',
  ),
);

interface SeriesPoint {
  /** Start of the hour or UTC day. */
  t: Date;
  /** Requests admitted (UsageRollup): what counts against quotas and is billed. */
  requests: number;
  /** Requests answered 5xx, among every request the gateway logged for the APIs (LatencyRollup). */
  errors: number;
  /** `errorRate` (core/usage-metrics): errors ÷ every answered request, admitted and refused alike. */
  errorRate: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

const rounded = (ms: number | null) => (ms === null ? null : Math.round(ms * 10) / 10);

function latencySummary(counts: number[], logged: number, errors: number) {
  return {
    errors,
    errorRate: errorRate(errors, logged),
    p50: rounded(percentileFromCounts(counts, 0.5)),
    p95: rounded(percentileFromCounts(counts, 0.95)),
    p99: rounded(percentileFromCounts(counts, 0.99)),
  };
}

/** Requests, error rate and latency p50/p95/p99 per hour or day over the range, and for it as a whole. */
export async function analyticsTimeseries(ctx: OrgCtx, input: AnalyticsQuery) {
  const q = ZAnalyticsQuery.parse(input);
  await checkFilters(ctx, q);
  const spans = analyticsSpans(q.from, q.to);
  const { grain, from, to } = spans;
  const [usage, latency] = await Promise.all([
    readDb(ctx).$queryRaw<Array<{ t: bigint; requests: bigint }>>`
      SELECT extract(epoch FROM u.bucket)::bigint AS t, sum(u.requests)::bigint AS requests FROM (
        ${usageBranches(ctx, q, spans, (bucket) => Prisma.sql`SELECT ${bucket} AS bucket, r.requests`)}) u
      GROUP BY u.bucket`,
    // Rows of one bucket may come from two branches (a partial day): added up below.
    readDb(ctx).$queryRaw<Array<Record<string, bigint>>>(latencyBranches(ctx, q, spans)),
  ]);
  const step = grain === 'hour' ? HOUR_MS : DAY_MS;
  const buckets = new Map<number, { requests: number; logged: number; errors: number; counts: number[] }>();
  // A chart bucket per hour or UTC day; with days, the first and last may cover part of their day.
  for (let t = Math.floor(from.getTime() / step) * step; t < to.getTime(); t += step) {
    buckets.set(t, { requests: 0, logged: 0, errors: 0, counts: emptyLatencyCounts() });
  }
  const at = (t: bigint) => buckets.get(Number(t) * 1000);
  for (const row of usage) {
    const bucket = at(row.t);
    if (bucket) bucket.requests += Number(row.requests);
  }
  for (const row of latency) {
    const bucket = at(row.t as bigint);
    if (!bucket) continue;
    bucket.logged += Number(row.logged ?? 0n);
    bucket.errors += Number(row.errors ?? 0n);
    for (let i = 0; i < LATENCY_BUCKET_COUNT; i++) {
      bucket.counts[i] = (bucket.counts[i] ?? 0) + Number(row[`c${i + 1}`] ?? 0n);
    }
  }
  const overall = { requests: 0, logged: 0, errors: 0, counts: emptyLatencyCounts() };
  const points: SeriesPoint[] = [];
  for (const [t, bucket] of buckets) {
    overall.requests += bucket.requests;
    overall.logged += bucket.logged;
    overall.errors += bucket.errors;
    mergeCounts(overall.counts, bucket.counts);
    points.push({
      t: new Date(t),
      requests: bucket.requests,
      ...latencySummary(bucket.counts, bucket.logged, bucket.errors),
    });
  }
  return {
    grain,
    from,
    to,
    points,
    totals: { requests: overall.requests, ...latencySummary(overall.counts, overall.logged, overall.errors) },
  };
}

/**
 * Admitted requests and 5xx per counterpart over the range, as `(…) x` with columns k, requests, errors:
 * k is the consumer org (provider side) or the API (consumer side). Read from UsagePairRollup and
 * UsagePairDailyRollup (rows per API × consumer org, not per subscription); filtered by one subscription,
 * from that subscription's rollups.
 */
function topCounts(ctx: OrgCtx, q: AnalyticsQuery, spans: Spans) {
  if (q.subscriptionId) {
    const key = q.side === 'provider' ? Prisma.sql`ap."orgId"` : Prisma.sql`p."apiId"`;
    return Prisma.sql`(SELECT ${key} AS k, u.requests, u.errors FROM (
        SELECT r.sid, sum(r.requests)::bigint AS requests, sum(r.errors)::bigint AS errors FROM (${usageBranches(
          ctx,
          q,
          spans,
          () => Prisma.sql`SELECT r."subscriptionId" AS sid, r.requests,
            CASE WHEN r."statusClass" = 5 THEN r.requests ELSE 0 END AS errors`,
          true,
        )}) r GROUP BY 1
      ) u
      JOIN "Subscription" s ON s.id = u.sid JOIN "App" ap ON ap.id = s."appId" JOIN "Plan" p ON p.id = s."planId") x`;
  }
  const [own, other] =
    q.side === 'provider' ? ['"providerOrgId"', '"consumerOrgId"'] : ['"consumerOrgId"', '"apiId"'];
  const where = Prisma.sql`r.${Prisma.raw(own)} = ${ctx.org.id}
    ${q.apiId ? Prisma.sql`AND r."apiId" = ${q.apiId}` : Prisma.empty}`;
  const branches = spans.hours.map(
    (span) => Prisma.sql`SELECT r.${Prisma.raw(other)} AS k, r.requests, r.errors FROM "UsagePairRollup" r
      WHERE r."bucketStart" >= ${sqlTimestamp(span.from)}::timestamp AND r."bucketStart" < ${sqlTimestamp(span.to)}::timestamp
        AND ${where}`,
  );
  if (spans.days) {
    branches.push(Prisma.sql`SELECT r.${Prisma.raw(other)} AS k, r.requests, r.errors FROM "UsagePairDailyRollup" r
      WHERE r.day >= ${sqlTimestamp(spans.days.from)}::date AND r.day < ${sqlTimestamp(spans.days.to)}::date
        AND ${where}`);
  }
  return Prisma.sql`(SELECT b.k, sum(b.requests)::bigint AS requests, sum(b.errors)::bigint AS errors
    FROM (${Prisma.join(branches, ' UNION ALL ')}) b GROUP BY b.k) x`;
}

/**
 * Provider: the consumer orgs that sent the most admitted requests to its APIs. Consumer: the APIs its
 * apps called most. Read from the same rollups as the chart of that range.
 */
export async function analyticsTop(ctx: OrgCtx, input: z.input<typeof ZAnalyticsTopQuery>) {
  const q = ZAnalyticsTopQuery.parse(input);
  await checkFilters(ctx, q);
  const spans = analyticsSpans(q.from, q.to);
  const x = topCounts(ctx, q, spans);
  if (q.side === 'provider') {
    const rows = await readDb(ctx).$queryRaw<
      Array<{ id: string; slug: string; name: string; requests: bigint; errors: bigint }>
    >`
      SELECT o.id, o.slug, o.name, x.requests, x.errors
      FROM ${x}
      JOIN "Organization" o ON o.id = x.k
      ORDER BY x.requests DESC, o.slug
      LIMIT ${q.limit}`;
    return {
      side: q.side,
      consumers: rows.map((r) => ({
        orgId: r.id,
        slug: r.slug,
        name: r.name,
        requests: Number(r.requests),
        errors: Number(r.errors),
      })),
      apis: [],
    };
  }
  const rows = await readDb(ctx).$queryRaw<
    Array<{
      id: string;
      slug: string;
      name: string;
      org_slug: string;
      org_name: string;
      requests: bigint;
      errors: bigint;
    }>
  >`
    SELECT a.id, a.slug, a.name, o.slug AS org_slug, o.name AS org_name, x.requests, x.errors
    FROM ${x}
    JOIN "Api" a ON a.id = x.k
    JOIN "Organization" o ON o.id = a."orgId"
    ORDER BY x.requests DESC, a.slug
    LIMIT ${q.limit}`;
  return {
    side: q.side,
    consumers: [],
    apis: rows.map((r) => ({
      apiId: r.id,
      slug: r.slug,
      name: r.name,
      providerOrg: { slug: r.org_slug, name: r.org_name },
      requests: Number(r.requests),
      errors: Number(r.errors),
    })),
  };
}

/**
 * Used vs quota across the subscription's current billing period (monthly anniversaries of its
 * currentPeriodStart, like the gateway's quota counter): cumulative admitted requests at the end of each
 * day of the period so far, and a projection to the period's end from the pace of the last seven days
 * (`projectPeriodUsage`: none before a day has passed, held at the quota when the gateway stops there).
 */
export async function quotaBurnDown(
  ctx: OrgCtx,
  input: z.input<typeof ZQuotaBurnDownQuery>,
  now = new Date(),
) {
  const q = ZQuotaBurnDownQuery.parse(input);
  const subscription = await scopedSubscription(ctx, q.side, q.subscriptionId);
  const period = billingPeriod(subscription.currentPeriodStart, now);
  const until = Math.min(now.getTime(), period.end.getTime());
  const days = Math.max(1, Math.ceil((until - period.start.getTime()) / DAY_MS));
  const windowStart = projectionWindowStart(period, new Date(until));
  // The same hours invoicing bills and the gateway's quota counter is seeded from: those starting in
  // [hourStart(period start), hourStart(period end)).
  const rows = await readDb(ctx).$queryRaw<Array<{ d: number; requests: bigint; recent: bigint }>>`
    SELECT floor(extract(epoch FROM (r."bucketStart" - ${sqlTimestamp(period.start)}::timestamp)) / 86400)::int AS d,
      sum(r.requests)::bigint AS requests,
      sum(CASE WHEN r."bucketStart" >= ${sqlTimestamp(hourStart(windowStart))}::timestamp THEN r.requests ELSE 0 END)::bigint AS recent
    FROM "UsageRollup" r
    WHERE r."subscriptionId" = ${subscription.id}
      AND r."bucketStart" >= ${sqlTimestamp(hourStart(period.start))}::timestamp
      AND r."bucketStart" < ${sqlTimestamp(hourStart(period.end))}::timestamp
    GROUP BY 1`;
  const perDay = new Array<number>(days).fill(0);
  let recent = 0;
  for (const row of rows) {
    perDay[Math.min(days - 1, Math.max(0, row.d))]! += Number(row.requests);
    recent += Number(row.recent);
  }
  let used = 0;
  const points = [{ t: period.start, used: 0 }];
  for (let d = 0; d < days; d++) {
    used += perDay[d] ?? 0;
    points.push({ t: new Date(Math.min(until, period.start.getTime() + (d + 1) * DAY_MS)), used });
  }
  const pricing = ZPlanPricing.safeParse(subscription.plan.pricing ?? {});
  const quota = subscription.plan.monthlyQuota;
  return {
    subscriptionId: subscription.id,
    api: subscription.plan.api,
    app: { name: subscription.app.name, orgName: subscription.app.org.name },
    plan: { name: subscription.plan.name },
    quota,
    period,
    used,
    projection: projectPeriodUsage({
      period,
      now,
      used,
      windowRequests: recent,
      quota,
      capAtQuota: pricing.success ? blocksAtQuota(pricing.data) : true,
    }),
    points,
  };
}

/** Filter choices offered: enough for a picker; larger tenants filter the charts by API first. */
const SCOPE_API_LIMIT = 500;
const SCOPE_SUBSCRIPTION_LIMIT = 200;

/**
 * What the org can chart: the provider side when it publishes APIs, the consumer side when its apps
 * hold subscriptions; with the APIs and subscriptions to filter by (the most recent ones first).
 */
export async function analyticsScope(ctx: OrgCtx) {
  const subscriptionSelect = {
    id: true,
    status: true,
    app: { select: { id: true, name: true, org: { select: { name: true } } } },
    plan: { select: { name: true, monthlyQuota: true, api: { select: { id: true, name: true } } } },
  } as const;
  const [providerApis, providerSubs, consumerSubs] = await Promise.all([
    readDb(ctx).api.findMany({
      where: { orgId: ctx.org.id },
      select: { id: true, name: true, slug: true },
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
      take: SCOPE_API_LIMIT,
    }),
    readDb(ctx).subscription.findMany({
      where: { plan: { api: { orgId: ctx.org.id } } },
      select: subscriptionSelect,
      orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
      take: SCOPE_SUBSCRIPTION_LIMIT,
    }),
    readDb(ctx).subscription.findMany({
      where: { app: { orgId: ctx.org.id } },
      select: subscriptionSelect,
      orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
      take: SCOPE_SUBSCRIPTION_LIMIT,
    }),
  ]);
  const option = (s: (typeof consumerSubs)[number]) => ({
    id: s.id,
    status: s.status,
    api: s.plan.api,
    app: { id: s.app.id, name: s.app.name, orgName: s.app.org.name },
    plan: { name: s.plan.name, monthlyQuota: s.plan.monthlyQuota },
  });
  const consumerApis = new Map(consumerSubs.map((s) => [s.plan.api.id, s.plan.api]));
  return {
    provider:
      providerApis.length > 0 ? { apis: providerApis, subscriptions: providerSubs.map(option) } : null,
    consumer:
      consumerSubs.length > 0
        ? {
            apis: [...consumerApis.values()].sort((a, b) => a.name.localeCompare(b.name)),
            subscriptions: consumerSubs.map(option),
          }
        : null,
  };
}
