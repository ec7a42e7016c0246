import type { SqlRunner } from './pg.ts';

/**
 * Day partitions of the append-only tables (migration 0011): each is PARTITION BY RANGE ("at") with one
 * partition per UTC day, "<table>_pYYYYMMDD" holding [day, day + 1), and "<table>_default" for any row
 * no day partition takes. This module is their one maintainer, used by the metering worker (all three
 * tables), the gateway's log retention (the two logs) and the platform command at startup:
 * - `ensureDayPartitions` creates the partitions of yesterday … N days ahead, so rows land in their own
 *   day and never pile up in DEFAULT;
 * - `expireDayPartitions` drops whole days older than a cutoff (DETACH + DROP: the disk is freed at once,
 *   no dead tuples, no vacuum) and deletes DEFAULT rows older than it in bounded batches.
 * Plain SQL over a SqlRunner, so the gateway (node-postgres) and the worker (Prisma) share it.
 */

const PARTITIONED_TABLES = ['RequestLog', 'AiCallLog', 'UsageEvent'] as const;
export type PartitionedTable = (typeof PARTITIONED_TABLES)[number];

/** Runs `fn` in one transaction (BEGIN … COMMIT on one connection). */
export interface SqlTransactions {
  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T>;
}

/**
 * Taken (transaction-level) around every partition change, by every process: creations and drops never
 * interleave, and two callers creating the same day wait for each other instead of failing. 7_231_001 is
 * the migration runner's lock, 7_231_101 the gateway's log retention, 7_231_201 the worker's ledger pruning.
 */
const PARTITION_LOCK_ID = 7_231_301;
/** Partitions exist this many days ahead of today (UTC). */
export const PARTITION_DAYS_AHEAD = 7;
/** How long a partition change waits for a table lock before giving up until its next run. */
const LOCK_TIMEOUT = '5s';
const DAY_MS = 86_400_000;

const startOfDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;
/** '2026-12-06 00:00:00.000': a "timestamp(3)" literal in UTC, the way the columns store time. */
const timestampLiteral = (ms: number) => `'${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')}'`;
const quoted = (name: string) => `"${name}"`;

export const dayPartitionName = (table: PartitionedTable, dayMs: number): string =>
  `${table}_p${new Date(dayMs).toISOString().slice(0, 10).replaceAll('-', '')}`;
export const defaultPartitionName = (table: PartitionedTable): string => `${table}_default`;

export interface PartitionInfo {
  name: string;
  /** [fromMs, fromMs + 1 day) of a day partition; undefined for any other (DEFAULT) */
  dayMs: number | undefined;
}

/**
 * The partitions attached to `table` (pg_inherits). A day partition is known by its name, which this
 * module and migration 0011 give it: nothing else is ever taken for a day, so nothing else is dropped.
 */
export async function listPartitions(sql: SqlRunner, table: PartitionedTable): Promise<PartitionInfo[]> {
  const rows = await sql.rows<{ name: string }>(
    `SELECT c.relname::text AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = to_regclass($1::text) ORDER BY c.relname`,
    [quoted(table)],
  );
  const dayName = new RegExp(`^${table}_p(\\d{4})(\\d{2})(\\d{2})$`);
  return rows.map(({ name }) => {
    const match = dayName.exec(name);
    const dayMs = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : undefined;
    return {
      name,
      dayMs: dayMs !== undefined && dayPartitionName(table, dayMs) === name ? dayMs : undefined,
    };
  });
}

const exists = async (tx: SqlRunner, name: string) =>
  (await tx.rows<{ found: boolean }>('SELECT to_regclass($1::text) IS NOT NULL AS found', [quoted(name)]))[0]
    ?.found === true;

/**
 * Takes PARTITION_LOCK_ID (waiting for another change to finish), then bounds every table lock the
 * change waits for to LOCK_TIMEOUT: a long query on the table makes it give up, not queue writes behind it.
 */
async function lockForPartitionChange(tx: SqlRunner): Promise<void> {
  await tx.execute(`SELECT pg_advisory_xact_lock(${PARTITION_LOCK_ID}::bigint)`);
  await tx.execute(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
}

export interface EnsureResult {
  /** partitions created by this call */
  created: string[];
  /** rows moved out of DEFAULT into a partition created for their day */
  moved: number;
}

/**
 * Creates the day partitions of yesterday … `daysAhead` days from today (UTC) that are missing. Idempotent
 * and safe under concurrent callers: each creation runs in its own transaction under PARTITION_LOCK_ID and
 * checks again once it holds it. A new day is created as a plain table and ATTACHed (which locks the parent
 * only in SHARE UPDATE EXCLUSIVE mode, so writes go on), after moving into it any rows DEFAULT holds for
 * that day (written while the partition was missing) — ATTACH would otherwise refuse the day.
 */
export async function ensureDayPartitions(
  sql: SqlTransactions & SqlRunner,
  options: { tables?: readonly PartitionedTable[]; daysAhead?: number; now?: () => number } = {},
): Promise<EnsureResult> {
  const today = startOfDay((options.now ?? Date.now)());
  const daysAhead = options.daysAhead ?? PARTITION_DAYS_AHEAD;
  const result: EnsureResult = { created: [], moved: 0 };
  for (const table of options.tables ?? PARTITIONED_TABLES) {
    const present = new Set((await listPartitions(sql, table)).map((p) => p.name));
    for (let day = today - DAY_MS; day <= today + daysAhead * DAY_MS; day += DAY_MS) {
      const name = dayPartitionName(table, day);
      if (present.has(name)) continue;
      const moved = await sql.transaction((tx) => createDayPartition(tx, table, day));
      if (moved === undefined) continue; // another caller created it meanwhile
      result.created.push(name);
      result.moved += moved;
    }
  }
  return result;
}

/** Resolves to the rows moved from DEFAULT, or undefined when the partition exists already. */
async function createDayPartition(
  tx: SqlRunner,
  table: PartitionedTable,
  dayMs: number,
): Promise<number | undefined> {
  await lockForPartitionChange(tx);
  const name = dayPartitionName(table, dayMs);
  if (await exists(tx, name)) return undefined;
  const from = timestampLiteral(dayMs);
  const to = timestampLiteral(dayMs + DAY_MS);
  const fallback = defaultPartitionName(table);
  // Table and partition names come from PARTITIONED_TABLES and a date, never from input.
  await tx.execute(`CREATE TABLE ${quoted(name)} (LIKE ${quoted(table)} INCLUDING DEFAULTS)`);
  // Proves the range to ATTACH, which then skips scanning the new table.
  await tx.execute(`ALTER TABLE ${quoted(name)} ADD CONSTRAINT ${quoted(`${name}_range`)}
    CHECK ("at" IS NOT NULL AND "at" >= ${from} AND "at" < ${to})`);
  let moved = 0;
  if (await exists(tx, fallback)) {
    // No row for this day may reach DEFAULT between the move and the ATTACH (which locks it so anyway).
    await tx.execute(`LOCK TABLE ${quoted(fallback)} IN ACCESS EXCLUSIVE MODE`);
    moved = await tx.execute(`
      WITH moved AS (
        DELETE FROM ${quoted(fallback)} WHERE "at" >= ${from} AND "at" < ${to} RETURNING *
      )
      INSERT INTO ${quoted(name)} SELECT * FROM moved`);
  }
  await tx.execute(
    `ALTER TABLE ${quoted(table)} ATTACH PARTITION ${quoted(name)} FOR VALUES FROM (${from}) TO (${to})`,
  );
  await tx.execute(`ALTER TABLE ${quoted(name)} DROP CONSTRAINT ${quoted(`${name}_range`)}`);
  return moved;
}

export interface ExpireResult {
  /** false when another process held `runLockId` before anything was done */
  ran: boolean;
  /** day partitions detached and dropped */
  dropped: string[];
  /** rows deleted from DEFAULT */
  deleted: number;
  /** DELETE batches run on DEFAULT */
  batches: number;
}

/**
 * Retention of one table: drops every day partition that ends at or before `cutoff` (DETACH, then DROP
 * TABLE, in one short transaction), then deletes DEFAULT rows older than `cutoff` in batches of
 * `batchSize`. A day straddling the cutoff stays whole until it is past it, so rows live at most one day
 * longer than the window. Each transaction first tries `runLockId` (pg_try_advisory_xact_lock): when
 * another process holds it, it is doing this run and this one stops.
 */
export async function expireDayPartitions(
  sql: SqlTransactions & SqlRunner,
  options: { table: PartitionedTable; cutoff: Date; runLockId: number; batchSize?: number },
): Promise<ExpireResult> {
  const { table, runLockId } = options;
  const cutoffMs = options.cutoff.getTime();
  const batchSize = options.batchSize ?? 5_000;
  const result: ExpireResult = { ran: true, dropped: [], deleted: 0, batches: 0 };
  const stop = () => {
    if (result.dropped.length === 0 && result.batches === 0) result.ran = false;
    return result;
  };
  const tryRunLock = async (tx: SqlRunner) =>
    (
      await tx.rows<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1::bigint) AS locked', [
        runLockId,
      ])
    )[0]?.locked === true;

  const expired = (await listPartitions(sql, table)).filter(
    (p) => p.dayMs !== undefined && p.dayMs + DAY_MS <= cutoffMs,
  );
  for (const partition of expired) {
    const outcome = await sql.transaction(async (tx) => {
      if (!(await tryRunLock(tx))) return 'locked' as const;
      await lockForPartitionChange(tx);
      if (!(await exists(tx, partition.name))) return 'gone' as const;
      await tx.execute(`ALTER TABLE ${quoted(table)} DETACH PARTITION ${quoted(partition.name)}`);
      await tx.execute(`DROP TABLE ${quoted(partition.name)}`);
      return 'dropped' as const;
    });
    if (outcome === 'locked') return stop();
    if (outcome === 'dropped') result.dropped.push(partition.name);
  }

  const fallback = defaultPartitionName(table);
  const cutoff = timestampLiteral(cutoffMs);
  for (;;) {
    const deleted = await sql.transaction(async (tx) => {
      if (!(await tryRunLock(tx))) return null;
      if (!(await exists(tx, fallback))) return 0;
      return tx.execute(
        `DELETE FROM ${quoted(fallback)} WHERE ctid = ANY(ARRAY(
          SELECT ctid FROM ${quoted(fallback)} WHERE "at" < ${cutoff} LIMIT ${Math.max(1, Math.floor(batchSize))}))`,
      );
    });
    if (deleted === null) return stop();
    result.batches++;
    result.deleted += deleted;
    if (deleted < batchSize) return result;
  }
}
