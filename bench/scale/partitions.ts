import type { SqlRunner, SqlWriter } from '@portcullis/db/pg';

/**
 * The generators insert through the parent table, which works whether a log table is plain or
 * day-partitioned. When it is partitioned, the day partitions the rows fall in are created first by the
 * product's own partition maintenance, found at run time: the first exported function whose name
 * mentions partitions in one of MODULES (`ensureDayPartitions` of @portcullis/db/partitions, which makes
 * yesterday … `daysAhead` days after `now()`), called as `fn(sql, options)` with its clock set to the
 * day after the window's first, so it creates every day of the window. Without one, rows land in the
 * table's DEFAULT partition (and the bench says how many did).
 */
const MODULES = ['@portcullis/db/partitions', '@portcullis/usage/partitions', '@portcullis/db'];
const NAME = /^(ensure|create|maintain|add)\w*partitions?$/i;
const DAY_MS = 86_400_000;

interface MaintainOptions {
  now: () => number;
  daysAhead: number;
  from: Date;
  to: Date;
}
type Maintain = (sql: SqlWriter, options: MaintainOptions) => Promise<unknown>;

export interface PartitionMaintenance {
  /** "module#export", for the report */
  source: string;
  ensure(sql: SqlWriter, range: { from: Date; to: Date }): Promise<void>;
}

export async function findPartitionMaintenance(): Promise<PartitionMaintenance | null> {
  for (const specifier of MODULES) {
    let module: Record<string, unknown>;
    try {
      module = (await import(specifier)) as Record<string, unknown>;
    } catch {
      continue; // the module does not exist (yet)
    }
    for (const [name, value] of Object.entries(module)) {
      if (typeof value !== 'function' || !NAME.test(name)) continue;
      const maintain = value as Maintain;
      const source = `${specifier}#${name}`;
      return {
        source,
        async ensure(sql, range) {
          // "yesterday" of this clock is the window's first day; "daysAhead" reaches past its last.
          const now = range.from.getTime() + DAY_MS;
          const daysAhead = Math.ceil((range.to.getTime() - now) / DAY_MS);
          try {
            await maintain(sql, { now: () => now, daysAhead, ...range });
          } catch (error) {
            throw new Error(
              `partition maintenance ${source}(sql, { now, daysAhead }) failed: ${error instanceof Error ? error.message : String(error)}`,
            );
          }
        },
      };
    }
  }
  return null;
}

interface PartitionLayout {
  partitioned: boolean;
  /** the DEFAULT partition's name, if the table has one */
  defaultPartition: string | null;
  partitions: number;
}

async function partitionLayout(sql: SqlRunner, table: string): Promise<PartitionLayout> {
  const [kind] = await sql.rows<{ relkind: string }>(
    'SELECT relkind::text AS relkind FROM pg_class WHERE oid = $1::regclass',
    [`"${table}"`],
  );
  if (kind?.relkind !== 'p') return { partitioned: false, defaultPartition: null, partitions: 0 };
  const children = await sql.rows<{ name: string; bound: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = $1::regclass`,
    [`"${table}"`],
  );
  return {
    partitioned: true,
    defaultPartition: children.find((c) => c.bound === 'DEFAULT')?.name ?? null,
    partitions: children.length,
  };
}

/**
 * Makes sure the rows of [from, to) have somewhere to go: the maintenance hook when there is one, else
 * a DEFAULT partition must exist (a partitioned table without either would refuse the INSERT, after
 * minutes of work: better to say so first).
 */
export async function preparePartitions(
  sql: SqlWriter,
  tables: readonly string[],
  range: { from: Date; to: Date },
  maintenance: PartitionMaintenance | null,
): Promise<string[]> {
  const notes: string[] = [];
  if (maintenance) {
    await maintenance.ensure(sql, range);
    notes.push(`day partitions created by ${maintenance.source}`);
  }
  for (const table of tables) {
    const layout = await partitionLayout(sql, table);
    if (!layout.partitioned) continue;
    if (!maintenance && !layout.defaultPartition) {
      throw new Error(
        `"${table}" is partitioned, has no DEFAULT partition, and no partition-maintenance function was found in ${MODULES.join(', ')}`,
      );
    }
    notes.push(
      `"${table}": ${layout.partitions} partitions${layout.defaultPartition ? ' (with DEFAULT)' : ''}`,
    );
  }
  return notes;
}

/** Rows that went to the DEFAULT partition (0 for a plain table or one without a DEFAULT). */
export async function rowsInDefault(sql: SqlRunner, table: string): Promise<number> {
  const layout = await partitionLayout(sql, table);
  if (!layout.defaultPartition) return 0;
  const [row] = await sql.rows<{ n: string }>(
    `SELECT count(*)::bigint AS n FROM ONLY "${layout.defaultPartition.replaceAll('"', '""')}"`,
  );
  return Number(row?.n ?? 0);
}
