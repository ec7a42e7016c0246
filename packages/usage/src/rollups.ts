import type { SqlRunner } from '@portcullis/db/pg';
import type { StreamUsageEvent } from './stream.ts';

// The latency histograms share this module's entry point (the gateway's meter imports both from here).
export { type LatencyHistogram, writeLatencyRollups } from './latency-rollups.ts';

/**
 * The one writer of the billing totals, UsageRollup (hourly) and UsageDailyRollup, and of their sums per
 * organization and side (UsageOrgRollup, UsageOrgDailyRollup: what an org's unfiltered charts read) and
 * per API and consumer org (UsagePairRollup, UsagePairDailyRollup: what the rankings read). Every path that
 * records usage goes through `writeRollups`: the metering worker and the gateway's Redis-outage fallback
 * (events, recorded exactly once by id, apply.ts) and the gateway's embedded meter (a tally summed in
 * memory, made exactly-once by its batch id). They share the bucketing (hour and day, status class,
 * billable rule), the summing and the upsert, so they cannot drift apart.
 *
 * Likewise the one writer of the latency histograms, per API × subscription (LatencyRollup hourly,
 * LatencyDailyRollup), per API (LatencyApiRollup, LatencyApiDailyRollup) and per organization and side
 * (LatencyOrgRollup, LatencyOrgDailyRollup): `writeLatencyRollups`. Histograms come from request logs, which only the gateway's meter batches (in
 * both modes), inside the transaction that records its UsageBatch id.
 */

/** What one request adds to the rollups. */
export interface UsageFigures {
  subscriptionId: string;
  atMs: number;
  status: number;
  bytesIn: number;
  bytesOut: number;
  /** Overrides the default rule (answered below 500). */
  billable?: boolean;
  tokensIn?: number;
  tokensOut?: number;
  /** AI cost in micro-units of the plan currency (integer). */
  costMicros?: bigint | number;
  /** MCP tools/call: the tool's name, also counted per tool (ToolCallRollup). */
  tool?: string;
}

const HOUR_MS = 3_600_000;

/** 1xx … 5xx; anything outside is clamped into that range. */
const statusClass = (status: number): number => Math.min(5, Math.max(1, Math.floor(status / 100)));

const isBillable = (usage: UsageFigures): boolean => usage.billable ?? usage.status < 500;

interface TallyRow {
  subscriptionId: string;
  bucketMs: number;
  statusClass: number;
  requests: number;
  billable: number;
  bytesIn: number;
  bytesOut: number;
  tokensIn: number;
  tokensOut: number;
  costMicros: bigint;
}

interface ToolTallyRow {
  subscriptionId: string;
  bucketMs: number;
  tool: string;
  calls: number;
  billable: number;
}

/**
 * Usage summed per subscription × hour × status class, in memory: what the rollup rows add up; tool
 * calls also per subscription × hour × tool.
 */
export class UsageTally {
  private readonly rows = new Map<string, TallyRow>();
  private readonly toolRows = new Map<string, ToolTallyRow>();

  get size(): number {
    return this.rows.size;
  }

  private addToolCall(usage: UsageFigures, tool: string, bucketMs: number): void {
    const key = `${usage.subscriptionId}|${bucketMs}|${tool}`;
    let row = this.toolRows.get(key);
    if (!row) {
      row = { subscriptionId: usage.subscriptionId, bucketMs, tool, calls: 0, billable: 0 };
      this.toolRows.set(key, row);
    }
    row.calls += 1;
    if (isBillable(usage)) row.billable += 1;
  }

  add(usage: UsageFigures): void {
    const bucketMs = Math.floor(usage.atMs / HOUR_MS) * HOUR_MS;
    const cls = statusClass(usage.status);
    const key = `${usage.subscriptionId}|${bucketMs}|${cls}`;
    let row = this.rows.get(key);
    if (!row) {
      row = {
        subscriptionId: usage.subscriptionId,
        bucketMs,
        statusClass: cls,
        requests: 0,
        billable: 0,
        bytesIn: 0,
        bytesOut: 0,
        tokensIn: 0,
        tokensOut: 0,
        costMicros: 0n,
      };
      this.rows.set(key, row);
    }
    row.requests += 1;
    if (isBillable(usage)) row.billable += 1;
    row.bytesIn += usage.bytesIn;
    row.bytesOut += usage.bytesOut;
    row.tokensIn += usage.tokensIn ?? 0;
    row.tokensOut += usage.tokensOut ?? 0;
    if (usage.costMicros !== undefined) row.costMicros += BigInt(usage.costMicros);
    if (usage.tool !== undefined) this.addToolCall(usage, usage.tool, bucketMs);
  }

  /** Adds another tally's sums to this one (the other must not be used afterwards). */
  merge(other: UsageTally): void {
    for (const [key, row] of other.rows) {
      const into = this.rows.get(key);
      if (!into) {
        this.rows.set(key, row);
        continue;
      }
      into.requests += row.requests;
      into.billable += row.billable;
      into.bytesIn += row.bytesIn;
      into.bytesOut += row.bytesOut;
      into.tokensIn += row.tokensIn;
      into.tokensOut += row.tokensOut;
      into.costMicros += row.costMicros;
    }
    for (const [key, row] of other.toolRows) {
      const into = this.toolRows.get(key);
      if (!into) {
        this.toolRows.set(key, row);
        continue;
      }
      into.calls += row.calls;
      into.billable += row.billable;
    }
  }

  /** The rows as one JSON array (a bigint travels as its decimal text: exact). */
  toJson(): string {
    return JSON.stringify(
      [...this.rows.values()].map((r) => ({
        sid: r.subscriptionId,
        bucket: new Date(r.bucketMs).toISOString(),
        cls: r.statusClass,
        requests: r.requests,
        billable: r.billable,
        bytes_in: r.bytesIn,
        bytes_out: r.bytesOut,
        tokens_in: r.tokensIn,
        tokens_out: r.tokensOut,
        cost: r.costMicros.toString(),
      })),
    );
  }

  /** The tool-call rows as one JSON array. */
  toolsToJson(): string {
    return JSON.stringify(
      [...this.toolRows.values()].map((r) => ({
        sid: r.subscriptionId,
        bucket: new Date(r.bucketMs).toISOString(),
        tool: r.tool,
        calls: r.calls,
        billable: r.billable,
      })),
    );
  }
}

/** The columns a usage batch adds to a rollup row (the totals; `updatedAt` is replaced). */
const SUMMED = [
  'requests',
  'billable',
  'bytesIn',
  'bytesOut',
  'tokensIn',
  'tokensOut',
  'costMicros',
] as const;

/** The columns the per-org usage rollups keep. */
const ORG_SUMMED = ['requests', 'billable'] as const;
/** The columns the per-API-and-consumer-org usage rollup keeps. */
const PAIR_SUMMED = ['requests', 'errors'] as const;

/** Each usage rollup table's unique key: what ON CONFLICT names. */
const USAGE_ROLLUP_KEYS = {
  UsageRollup: '"subscriptionId", "bucketStart", "statusClass"',
  UsageDailyRollup: '"subscriptionId", day, "statusClass"',
  UsageOrgRollup: '"orgId", side, "bucketStart"',
  UsageOrgDailyRollup: '"orgId", side, day',
  UsagePairRollup: '"providerOrgId", "bucketStart", "apiId", "consumerOrgId"',
  UsagePairDailyRollup: '"providerOrgId", day, "apiId", "consumerOrgId"',
} as const;

function addToRollupOnConflict(
  table: keyof typeof USAGE_ROLLUP_KEYS,
  columns: readonly string[] = SUMMED,
): string {
  const key = USAGE_ROLLUP_KEYS[table];
  const sums = columns.map((column) => `"${column}" = "${table}"."${column}" + excluded."${column}"`);
  return `ON CONFLICT (${key}) DO UPDATE SET ${[...sums, '"updatedAt" = excluded."updatedAt"'].join(', ')}`;
}

/**
 * Adds the rows of `tallied` (sid, at, cls, requests, billable, bytes_in, bytes_out, tokens_in,
 * tokens_out, cost) to both grains, stamped `updatedAt`: the daily rows sum the same values as the hourly
 * ones, so the two can never disagree; the per-pair rows sum them per provider org, API and consumer org,
 * and the per-org rows split each pair row into its provider's and its consumer's side. The join drops
 * rows of subscriptions deleted meanwhile, which would otherwise fail the whole batch, forever. Rows go in key order so concurrent writers (several
 * workers, the embedded meter) lock them in the same order and cannot deadlock each other.
 */
const rollupCtes = (updatedAt: string) => `
    hourly AS (
      INSERT INTO "UsageRollup" (id, "subscriptionId", "bucketStart", "statusClass", requests, billable,
        "bytesIn", "bytesOut", "tokensIn", "tokensOut", "costMicros", "updatedAt")
      SELECT gen_random_uuid()::text, v.sid, date_trunc('hour', v.at), v.cls, sum(v.requests), sum(v.billable),
        sum(v.bytes_in), sum(v.bytes_out), sum(v.tokens_in), sum(v.tokens_out), sum(v.cost), ${updatedAt}::timestamp(3)
      FROM tallied v JOIN "Subscription" s ON s.id = v.sid
      GROUP BY v.sid, date_trunc('hour', v.at), v.cls
      ORDER BY v.sid, date_trunc('hour', v.at), v.cls
      ${addToRollupOnConflict('UsageRollup')}
    ),
    daily AS (
      INSERT INTO "UsageDailyRollup" (id, "subscriptionId", day, "statusClass", requests, billable,
        "bytesIn", "bytesOut", "tokensIn", "tokensOut", "costMicros", "updatedAt")
      SELECT gen_random_uuid()::text, v.sid, v.at::date, v.cls, sum(v.requests), sum(v.billable),
        sum(v.bytes_in), sum(v.bytes_out), sum(v.tokens_in), sum(v.tokens_out), sum(v.cost), ${updatedAt}::timestamp(3)
      FROM tallied v JOIN "Subscription" s ON s.id = v.sid
      GROUP BY v.sid, v.at::date, v.cls
      ORDER BY v.sid, v.at::date, v.cls
      ${addToRollupOnConflict('UsageDailyRollup')}
    ),
    pair_tallied AS (
      SELECT a."orgId" AS provider, v.at, a.id AS api, ap."orgId" AS consumer, v.requests, v.billable,
        CASE WHEN v.cls = 5 THEN v.requests ELSE 0 END AS errors
      FROM tallied v JOIN "Subscription" s ON s.id = v.sid JOIN "App" ap ON ap.id = s."appId"
        JOIN "Plan" p ON p.id = s."planId" JOIN "Api" a ON a.id = p."apiId"
    ),
    org_tallied AS (
      SELECT o.org, o.side, t.at, t.requests, t.billable
      FROM pair_tallied t CROSS JOIN LATERAL (VALUES (t.provider, 'provider'), (t.consumer, 'consumer')) AS o(org, side)
    ),
    org_hourly AS (
      INSERT INTO "UsageOrgRollup" ("orgId", side, "bucketStart", requests, billable, "updatedAt")
      SELECT org, side, date_trunc('hour', at), sum(requests), sum(billable), ${updatedAt}::timestamp(3)
      FROM org_tallied
      GROUP BY 1, 2, 3
      ORDER BY 1, 2, 3
      ${addToRollupOnConflict('UsageOrgRollup', ORG_SUMMED)}
    ),
    org_daily AS (
      INSERT INTO "UsageOrgDailyRollup" ("orgId", side, day, requests, billable, "updatedAt")
      SELECT org, side, at::date, sum(requests), sum(billable), ${updatedAt}::timestamp(3)
      FROM org_tallied
      GROUP BY 1, 2, 3
      ORDER BY 1, 2, 3
      ${addToRollupOnConflict('UsageOrgDailyRollup', ORG_SUMMED)}
    ),
    pair_hourly AS (
      INSERT INTO "UsagePairRollup" ("providerOrgId", "bucketStart", "apiId", "consumerOrgId", requests, errors,
        "updatedAt")
      SELECT provider, date_trunc('hour', at), api, consumer, sum(requests), sum(errors), ${updatedAt}::timestamp(3)
      FROM pair_tallied
      GROUP BY 1, 2, 3, 4
      ORDER BY 1, 2, 3, 4
      ${addToRollupOnConflict('UsagePairRollup', PAIR_SUMMED)}
    ),
    tool_hourly AS (
      INSERT INTO "ToolCallRollup" (id, "subscriptionId", "bucketStart", tool, calls, billable, "updatedAt")
      SELECT gen_random_uuid()::text, v.sid, date_trunc('hour', v.at), v.tool, sum(v.calls), sum(v.billable),
        ${updatedAt}::timestamp(3)
      FROM tool_tallied v JOIN "Subscription" s ON s.id = v.sid
      GROUP BY v.sid, date_trunc('hour', v.at), v.tool
      ORDER BY v.sid, date_trunc('hour', v.at), v.tool
      ON CONFLICT ("subscriptionId", "bucketStart", tool) DO UPDATE SET
        calls = "ToolCallRollup".calls + excluded.calls,
        billable = "ToolCallRollup".billable + excluded.billable,
        "updatedAt" = excluded."updatedAt"
    ),
    pair_daily AS (
      INSERT INTO "UsagePairDailyRollup" ("providerOrgId", day, "apiId", "consumerOrgId", requests, errors,
        "updatedAt")
      SELECT provider, at::date, api, consumer, sum(requests), sum(errors), ${updatedAt}::timestamp(3)
      FROM pair_tallied
      GROUP BY 1, 2, 3, 4
      ORDER BY 1, 2, 3, 4
      ${addToRollupOnConflict('UsagePairDailyRollup', PAIR_SUMMED)}
    )`;

/** A tally whose sums are added as they are ($1: its rows as JSON, $2: updatedAt, $3: its tool rows). */
const ADD_TALLY_SQL = `
    WITH tallied AS (
      SELECT sid, bucket AS at, cls, requests, billable, bytes_in, bytes_out, tokens_in, tokens_out, cost
      FROM json_to_recordset($1::json) AS x(sid text, bucket timestamp(3), cls int, requests bigint,
        billable bigint, bytes_in bigint, bytes_out bigint, tokens_in bigint, tokens_out bigint, cost bigint)
    ),
    tool_tallied AS (
      SELECT sid, bucket AS at, tool, calls, billable
      FROM json_to_recordset($3::json) AS x(sid text, bucket timestamp(3), tool text, calls bigint,
        billable bigint)
    ),
    ${rollupCtes('$2')}
    SELECT count(*)::int AS rows FROM tallied`;

/**
 * Events recorded in "UsageEvent" with ON CONFLICT (id, at) DO NOTHING (its key: the table is partitioned
 * by day on the event time, which a redelivered event carries unchanged); only the rows that insert RETURNS
 * (first time seen) are tallied, tool calls also per tool. Each column travels as ONE comma-joined string ($2…$13) split by
 * string_to_array and spread by unnest: a dozen parameters whatever the batch size, and no per-element
 * array conversion in the driver (which cost 3x the whole statement at 5,000 rows). Ids cannot contain a
 * comma (the stream encoding restricts them, tool names too; '' = no tool).
 */
const RECORD_EVENTS_SQL = `
    WITH input AS (
      SELECT * FROM unnest(
        string_to_array($2, ','),
        string_to_array($3, ','),
        string_to_array($4, ',')::timestamp(3)[],
        string_to_array($5, ',')::int[],
        string_to_array($6, ',')::int[],
        string_to_array($7, ',')::boolean[],
        string_to_array($8, ',')::bigint[],
        string_to_array($9, ',')::bigint[],
        string_to_array($10, ',')::int[],
        string_to_array($11, ',')::int[],
        string_to_array($12, ',')::bigint[],
        string_to_array($13, ',')
      ) AS t(id, sid, at, status, cls, billable, bytes_in, bytes_out, tokens_in, tokens_out, cost, tool)
    ),
    inserted AS (
      INSERT INTO "UsageEvent" (id, "subscriptionId", at, status, billable, "tokensIn", "tokensOut",
        "costMicros", "appliedAt")
      SELECT id, sid, at, status, billable, tokens_in, tokens_out, cost, $1::timestamp(3)
      FROM input
      ON CONFLICT (id, at) DO NOTHING
      RETURNING id
    ),
    tallied AS (
      SELECT i.sid, i.at, i.cls, 1 AS requests, CASE WHEN i.billable THEN 1 ELSE 0 END AS billable,
        i.bytes_in, i.bytes_out, i.tokens_in, i.tokens_out, i.cost, NULLIF(i.tool, '') AS tool
      FROM input i
      JOIN inserted USING (id)
    ),
    tool_tallied AS (
      SELECT sid, at, tool, requests AS calls, billable FROM tallied WHERE tool IS NOT NULL
    ),
    ${rollupCtes('$1')}
    SELECT id FROM inserted`;

const list = (values: readonly (string | number)[]) => values.join(',');

/** The event columns, each one comma-joined string, in RECORD_EVENTS_SQL's order ($2…$13). */
function eventColumns(events: readonly StreamUsageEvent[]): string[] {
  const seen = new Set<string>();
  const columns: (string | number)[][] = Array.from({ length: 12 }, () => []);
  for (const event of events) {
    // One statement cannot both insert an id and see that insert conflict, so repeats go here.
    if (seen.has(event.id)) continue;
    seen.add(event.id);
    const values = [
      event.id,
      event.subscriptionId,
      new Date(event.atMs).toISOString(),
      event.status,
      statusClass(event.status),
      isBillable(event) ? 't' : 'f',
      event.bytesIn,
      event.bytesOut,
      event.tokensIn ?? 0,
      event.tokensOut ?? 0,
      String(event.costMicros ?? 0),
      event.tool ?? '',
    ];
    for (const [column, value] of values.entries()) columns[column]?.push(value);
  }
  return columns.map(list);
}

/**
 * Adds usage to the hourly and daily rollups, in one statement (so one transaction of its own, or part of
 * the caller's when `sql` is a transaction):
 * - a tally: its sums as they are; the caller makes a retry harmless (the meter's UsageBatch id). Resolves
 *   to no ids.
 * - events: each recorded in "UsageEvent" exactly once by id; only the events recorded now (first time
 *   seen) are added, so writing the same events again changes nothing. Resolves to their ids.
 */
export async function writeRollups(
  sql: SqlRunner,
  usage: UsageTally | readonly StreamUsageEvent[],
  updatedAtMs: number,
): Promise<string[]> {
  const updatedAt = new Date(updatedAtMs).toISOString();
  if (usage instanceof UsageTally) {
    if (usage.size > 0) await sql.execute(ADD_TALLY_SQL, [usage.toJson(), updatedAt, usage.toolsToJson()]);
    return [];
  }
  if (usage.length === 0) return [];
  const rows = await sql.rows<{ id: string }>(RECORD_EVENTS_SQL, [updatedAt, ...eventColumns(usage)]);
  return rows.map((row) => row.id);
}
