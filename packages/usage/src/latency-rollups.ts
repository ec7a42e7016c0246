import { LATENCY_BUCKET_COUNT } from '@portcullis/core/latency';
import type { SqlRunner } from '@portcullis/db/pg';

/**
 * The one writer of the latency histograms (see rollups.ts for how they sit beside the usage rollups).
 */

const HOUR_MS = 3_600_000;

/** Latency histogram of one API × subscription × hour (bounds in @portcullis/core/latency). */
export interface LatencyHistogram {
  apiId: string;
  /** "" for requests refused before a subscription was known */
  subscriptionId: string;
  /** Start of the UTC hour. */
  bucketStart: Date;
  counts: number[];
  requests: number;
  errors: number;
}

type LatencyTable =
  | 'LatencyRollup'
  | 'LatencyDailyRollup'
  | 'LatencyApiRollup'
  | 'LatencyApiDailyRollup'
  | 'LatencyOrgRollup'
  | 'LatencyOrgDailyRollup';

/**
 * What to do when a latency row exists: the counts added element by element (unnest zips both arrays,
 * padding the shorter with NULLs, so arrays written under another bucket count still add up), the totals
 * added.
 */
const addLatencyOnConflict = (table: LatencyTable, keys: string) => `
      ON CONFLICT (${keys}) DO UPDATE SET
        counts = ARRAY(
          SELECT coalesce(old_n, 0) + coalesce(new_n, 0)
          FROM unnest("${table}".counts, excluded.counts) WITH ORDINALITY AS pair(old_n, new_n, position)
          ORDER BY pair.position
        ),
        requests = "${table}".requests + excluded.requests,
        errors = "${table}".errors + excluded.errors,
        "updatedAt" = excluded."updatedAt"`;

/**
 * Adds the rows of one JSON parameter (one per key, summed beforehand) to one latency table, in key
 * order so concurrent gateways lock them in the same order.
 */
function addLatencyTo(
  table: Exclude<LatencyTable, 'LatencyOrgRollup' | 'LatencyOrgDailyRollup'>,
  param: string,
): string {
  const perSubscription = table === 'LatencyRollup' || table === 'LatencyDailyRollup';
  const keys = perSubscription ? '"apiId", "subscriptionId"' : '"apiId"';
  const time = table === 'LatencyDailyRollup' || table === 'LatencyApiDailyRollup' ? 'day' : '"bucketStart"';
  const timeType = time === 'day' ? 'date' : 'timestamp(3)';
  const countsType = table === 'LatencyRollup' ? 'int[]' : 'bigint[]';
  return `
      INSERT INTO "${table}" (id, ${keys}, ${time}, counts, requests, errors, "updatedAt")
      SELECT gen_random_uuid()::text, ${keys}, ${time}, counts, requests, errors, $5::timestamp(3)
      FROM json_to_recordset(${param}::json) AS x("apiId" text, "subscriptionId" text, ${time} ${timeType},
        counts ${countsType}, requests bigint, errors bigint)
      ORDER BY ${keys}, ${time}
      ${addLatencyOnConflict(table, `${keys}, ${time}`)}`;
}

/** `sum(counts[1]), …` over every latency bucket: adding histograms index by index is one pass. */
const COUNT_SUMS = Array.from(
  { length: LATENCY_BUCKET_COUNT },
  (_, i) => `coalesce(sum(counts[${i + 1}]), 0)`,
).join(', ');

/**
 * Adds the histograms of org_latency (org, side, hour) to a per-org table, summed per key in SQL: the
 * org of an API or subscription is known here, not where the histograms are made.
 */
function addOrgLatencyTo(table: 'LatencyOrgRollup' | 'LatencyOrgDailyRollup'): string {
  const [time, bucket] = table === 'LatencyOrgRollup' ? ['"bucketStart"', 'at'] : ['day', 'at::date'];
  return `
      INSERT INTO "${table}" ("orgId", side, ${time}, counts, requests, errors, "updatedAt")
      SELECT org, side, ${bucket}, ARRAY[${COUNT_SUMS}]::bigint[], sum(requests), sum(errors), $5::timestamp(3)
      FROM org_latency
      GROUP BY 1, 2, 3
      ORDER BY 1, 2, 3
      ${addLatencyOnConflict(table, `"orgId", side, ${time}`)}`;
}

/**
 * $1…$4: the histograms per API × subscription × hour, × day, per API × hour and × day (each JSON);
 * $5: updatedAt. One statement, so the six tables change together or not at all. The per-org rows are
 * $1's, counted for the org owning the API (provider: every request, refused ones included) and for the
 * org owning the subscription's app (consumer).
 */
const ADD_LATENCY_SQL = `
    WITH hourly AS (${addLatencyTo('LatencyRollup', '$1')}),
    daily AS (${addLatencyTo('LatencyDailyRollup', '$2')}),
    api_hourly AS (${addLatencyTo('LatencyApiRollup', '$3')}),
    api_daily AS (${addLatencyTo('LatencyApiDailyRollup', '$4')}),
    org_latency AS (
      SELECT o.org, o.side, x."bucketStart" AS at, x.counts, x.requests, x.errors
      FROM json_to_recordset($1::json) AS x("apiId" text, "subscriptionId" text, "bucketStart" timestamp(3),
        counts bigint[], requests bigint, errors bigint)
      JOIN "Api" a ON a.id = x."apiId"
      LEFT JOIN "Subscription" s ON s.id = x."subscriptionId"
      LEFT JOIN "App" ap ON ap.id = s."appId"
      CROSS JOIN LATERAL (VALUES (a."orgId", 'provider'), (ap."orgId", 'consumer')) AS o(org, side)
      WHERE o.org IS NOT NULL
    ),
    org_hourly AS (${addOrgLatencyTo('LatencyOrgRollup')}),
    org_daily AS (${addOrgLatencyTo('LatencyOrgDailyRollup')})
    SELECT 1`;

/** One row of a latency table's JSON parameter: `bucketStart` (an ISO hour) or `day` (a UTC date). */
interface LatencySum {
  apiId: string;
  subscriptionId?: string;
  bucketStart?: string;
  day?: string;
  counts: number[];
  requests: number;
  errors: number;
}

/** Element-wise sum; a position missing from the shorter array counts 0 (as the upsert adds them). */
function addCounts(into: number[], add: readonly number[]): void {
  for (let i = 0; i < add.length; i++) into[i] = (into[i] ?? 0) + (add[i] ?? 0);
}

/** The histograms summed per key: one row per API (× subscription) × hour or day. */
function sumHistograms(
  histograms: readonly LatencyHistogram[],
  perSubscription: boolean,
  daily: boolean,
): LatencySum[] {
  const sums = new Map<string, LatencySum>();
  for (const h of histograms) {
    const hour = new Date(Math.floor(h.bucketStart.getTime() / HOUR_MS) * HOUR_MS).toISOString();
    const at = daily ? hour.slice(0, 10) : hour;
    const key = perSubscription ? `${h.apiId}|${h.subscriptionId}|${at}` : `${h.apiId}|${at}`;
    let sum = sums.get(key);
    if (!sum) {
      sum = { apiId: h.apiId, counts: [], requests: 0, errors: 0 };
      if (perSubscription) sum.subscriptionId = h.subscriptionId;
      if (daily) sum.day = at;
      else sum.bucketStart = at;
      sums.set(key, sum);
    }
    addCounts(sum.counts, h.counts);
    sum.requests += h.requests;
    sum.errors += h.errors;
  }
  return [...sums.values()];
}

/**
 * Adds latency histograms to LatencyRollup, LatencyDailyRollup, LatencyApiRollup, LatencyApiDailyRollup,
 * LatencyOrgRollup and LatencyOrgDailyRollup in one statement (so one transaction of its own, or part of the caller's when
 * `sql` is a transaction). Every table's rows are sums of the same histograms, made here (a few
 * thousand additions) rather than by grouping in SQL (which doubled the statement's time). Not
 * idempotent by itself: the caller makes a retry harmless (the meter's UsageBatch id, recorded in the
 * same transaction).
 */
export async function writeLatencyRollups(
  sql: SqlRunner,
  histograms: readonly LatencyHistogram[],
  updatedAtMs: number,
): Promise<void> {
  if (histograms.length === 0) return;
  await sql.execute(ADD_LATENCY_SQL, [
    JSON.stringify(sumHistograms(histograms, true, false)),
    JSON.stringify(sumHistograms(histograms, true, true)),
    JSON.stringify(sumHistograms(histograms, false, false)),
    JSON.stringify(sumHistograms(histograms, false, true)),
    new Date(updatedAtMs).toISOString(),
  ]);
}
