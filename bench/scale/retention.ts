import type { Db } from '@portcullis/db';
import type { SqlWriter } from '@portcullis/db/pg';
import { RequestLogRetention } from '../../apps/gateway/src/usage/retention.ts';
import { pruneUsageEvents } from '../../apps/metering/src/retention.ts';
import { DAY_MS, dayStart, relationBytes, type Scenario } from './scenario.ts';
import { median, type ScaleRow } from './table.ts';

/**
 * Retention of one day through the product's entry points: the gateway's RequestLogRetention (the
 * request log and the AI call log, one run) and the metering worker's pruneUsageEvents (the usage
 * ledger). Each of `runs` runs moves the clock one day on, so each removes the then-oldest day; the
 * figures are medians. Disk: every partition's pg_total_relation_size (indexes included) right before
 * and right after the run, as the product leaves it (no VACUUM of our own); the run frees its disk when
 * it gives back at least half of the day's share of the table(s).
 */

const RETENTION_TARGET_MS = 1_000;
/** Freed bytes ≥ this part of the day's share of the table's bytes counts as "frees its disk". */
const FREED_SHARE = 0.5;

interface RunFigures {
  ms: number;
  removed: number;
  freedBytes: number;
  expectedBytes: number;
  /** rows older than the cutoff still there after the run */
  left: number;
}

/**
 * `runs` runs of `runOnce(run)`, whose cutoff is `cutoffOf(run)`. The rows a run removed are counted
 * (rows older than the cutoff before it, less those left after it) rather than taken from its result,
 * which counts deleted rows but not the rows of a partition dropped whole.
 */
async function retentionRuns(
  sql: SqlWriter,
  tables: readonly string[],
  runs: number,
  cutoffOf: (run: number) => Date,
  runOnce: (run: number) => Promise<void>,
): Promise<RunFigures[]> {
  const figures: RunFigures[] = [];
  // Every row the tables hold (the ingest measurement's events included): the base of a day's share.
  let live = await rowsBefore(sql, tables, null);
  for (let run = 1; run <= runs; run++) {
    const cutoff = cutoffOf(run);
    const olderBefore = await rowsBefore(sql, tables, cutoff);
    const before = await totalBytes(sql, tables);
    const started = performance.now();
    await runOnce(run);
    const ms = performance.now() - started;
    const after = await totalBytes(sql, tables);
    const left = await rowsBefore(sql, tables, cutoff);
    const removed = olderBefore - left;
    figures.push({
      ms,
      removed,
      freedBytes: before - after,
      expectedBytes: live > 0 ? (before * removed) / live : 0,
      left,
    });
    live -= removed;
  }
  return figures;
}

/** Rows older than `cutoff` (null: all rows) in the tables. */
async function rowsBefore(sql: SqlWriter, tables: readonly string[], cutoff: Date | null): Promise<number> {
  let rows = 0;
  for (const table of tables) {
    const [row] = cutoff
      ? await sql.rows<{ n: string }>(
          `SELECT count(*)::bigint AS n FROM "${table}" WHERE at < $1::timestamp(3)`,
          [cutoff.toISOString()],
        )
      : await sql.rows<{ n: string }>(`SELECT count(*)::bigint AS n FROM "${table}"`);
    rows += Number(row?.n ?? 0);
  }
  return rows;
}

async function totalBytes(sql: SqlWriter, tables: readonly string[]): Promise<number> {
  let bytes = 0;
  for (const table of tables) bytes += await relationBytes(sql, table);
  return bytes;
}

const mb = (bytes: number) => bytes / 1024 / 1024;

function rowsOf(what: string, size: string, figures: RunFigures[]): ScaleRow[] {
  const removed = median(figures.map((f) => f.removed));
  const left = Math.max(...figures.map((f) => f.left));
  const freed = median(figures.map((f) => f.freedBytes));
  const expected = median(figures.map((f) => f.expectedBytes));
  return [
    {
      measure: `retention of one day: ${what}`,
      size,
      value: median(figures.map((f) => f.ms)),
      unit: 'ms',
      target: { op: '<=', limit: RETENTION_TARGET_MS },
      note: `${removed.toLocaleString('en-US')} rows removed per run${left > 0 ? `; ${left.toLocaleString('en-US')} rows past the cutoff left` : ''}`,
    },
    {
      measure: `retention of one day: ${what}, disk freed`,
      size,
      value: mb(freed),
      unit: 'MB',
      target: { op: '>=', limit: Number(mb(expected * FREED_SHARE).toFixed(1)) },
      note: `the day's share of the table: ${mb(expected).toFixed(1)} MB`,
    },
  ];
}

/** The request log + AI call log: the gateway's retention with the window moved to drop the oldest day. */
export async function measureLogRetention(
  sql: SqlWriter,
  scenario: Scenario,
  size: string,
  runs: number,
): Promise<ScaleRow[]> {
  const keepDays = scenario.days - 1;
  const cutoffOf = (run: number) => dayStart(scenario, run);
  const figures = await retentionRuns(sql, ['RequestLog', 'AiCallLog'], runs, cutoffOf, async (run) => {
    const retention = new RequestLogRetention(sql, {
      defaultDays: keepDays,
      intervalMs: DAY_MS,
      // cutoff = now − keepDays = the start of day `run`: day `run − 1` is past the window
      now: () => cutoffOf(run).getTime() + keepDays * DAY_MS,
    });
    const result = await retention.runOnce();
    if (!result.ran) throw new Error('request-log retention did not run: its lock was held');
  });
  return rowsOf('request log + AI call log', size, figures);
}

/** The usage ledger: the metering worker's prune with the window moved to drop the oldest day. */
export async function measureLedgerRetention(
  db: Db,
  sql: SqlWriter,
  scenario: Scenario,
  size: string,
  runs: number,
): Promise<ScaleRow[]> {
  const keepDays = scenario.days - 1;
  const cutoffOf = (run: number) => dayStart(scenario, run);
  const figures = await retentionRuns(sql, ['UsageEvent'], runs, cutoffOf, async (run) => {
    const result = await pruneUsageEvents(db, {
      retentionDays: keepDays,
      now: () => cutoffOf(run).getTime() + keepDays * DAY_MS,
    });
    if (!result.ran) throw new Error('usage-ledger retention did not run: its lock was held');
  });
  return rowsOf('usage ledger', size, figures);
}
