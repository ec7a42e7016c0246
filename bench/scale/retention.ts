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
  deleted: number;
  freedBytes: number;
  expectedBytes: number;
}

async function retentionRuns(
  sql: SqlWriter,
  tables: readonly string[],
  liveRows: number,
  runs: number,
  runOnce: (run: number) => Promise<number>,
): Promise<RunFigures[]> {
  const figures: RunFigures[] = [];
  let live = liveRows;
  for (let run = 1; run <= runs; run++) {
    const before = await totalBytes(sql, tables);
    const started = performance.now();
    const deleted = await runOnce(run);
    const ms = performance.now() - started;
    const after = await totalBytes(sql, tables);
    figures.push({
      ms,
      deleted,
      freedBytes: before - after,
      expectedBytes: live > 0 ? (before * deleted) / live : 0,
    });
    live -= deleted;
  }
  return figures;
}

async function totalBytes(sql: SqlWriter, tables: readonly string[]): Promise<number> {
  let bytes = 0;
  for (const table of tables) bytes += await relationBytes(sql, table);
  return bytes;
}

const mb = (bytes: number) => bytes / 1024 / 1024;

function rowsOf(what: string, size: string, figures: RunFigures[]): ScaleRow[] {
  const deleted = median(figures.map((f) => f.deleted));
  const freed = median(figures.map((f) => f.freedBytes));
  const expected = median(figures.map((f) => f.expectedBytes));
  return [
    {
      measure: `retention of one day: ${what}`,
      size,
      value: median(figures.map((f) => f.ms)),
      unit: 'ms',
      target: { op: '<=', limit: RETENTION_TARGET_MS },
      note: `${deleted.toLocaleString('en-US')} rows deleted per run`,
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
  liveRows: number,
  size: string,
  runs: number,
): Promise<ScaleRow[]> {
  const keepDays = scenario.days - 1;
  const figures = await retentionRuns(sql, ['RequestLog', 'AiCallLog'], liveRows, runs, async (run) => {
    const retention = new RequestLogRetention(sql, {
      defaultDays: keepDays,
      intervalMs: DAY_MS,
      // cutoff = now − keepDays = the end of day `run − 1`
      now: () => dayStart(scenario, run).getTime() + keepDays * DAY_MS,
    });
    const result = await retention.runOnce();
    if (!result.ran) throw new Error('request-log retention did not run: its lock was held');
    return result.deleted;
  });
  return rowsOf('request log + AI call log', size, figures);
}

/** The usage ledger: the metering worker's prune with the window moved to drop the oldest day. */
export async function measureLedgerRetention(
  db: Db,
  sql: SqlWriter,
  scenario: Scenario,
  liveRows: number,
  size: string,
  runs: number,
): Promise<ScaleRow[]> {
  const keepDays = scenario.days - 1;
  const figures = await retentionRuns(sql, ['UsageEvent'], liveRows, runs, async (run) => {
    const result = await pruneUsageEvents(db, {
      retentionDays: keepDays,
      now: () => dayStart(scenario, run).getTime() + keepDays * DAY_MS,
    });
    return result.deleted;
  });
  return rowsOf('usage ledger', size, figures);
}
