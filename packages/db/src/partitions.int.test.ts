import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from './migrate.ts';
import { type DatabaseBefore, databaseBefore } from './migrate-scratch.ts';
import {
  dayPartitionName,
  defaultPartitionName,
  ensureDayPartitions,
  expireDayPartitions,
  listPartitions,
  PARTITION_DAYS_AHEAD,
} from './partitions.ts';
import { createPgPool, type SqlWriter, sqlWriter } from './pg.ts';

/*
 * Migration 0011 and the partition maintainer, on a scratch database migrated to 0010 and filled with rows
 * of the old (unpartitioned) shape first.
 */

const PARTITIONED = '0011_time_partitions';
const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
const iso = (ms: number) => new Date(ms).toISOString();

describe('day partitions of RequestLog, AiCallLog and UsageEvent', () => {
  let scratch: DatabaseBefore;
  let databaseUrl: string;
  let client: pg.Client;
  let sql: SqlWriter;
  let other: SqlWriter;
  const q = <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
    client.query<T>(text, values).then((r) => r.rows);
  /** The partition each of `table`'s rows sits in, by id. */
  const placement = async (table: string) =>
    new Map(
      (
        await q<{ id: string; part: string }>(`SELECT id, tableoid::regclass::text AS part FROM "${table}"`)
      ).map((r) => [r.id, r.part.replaceAll('"', '')]),
    );
  const tableExists = async (relation: string) =>
    (await q<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [`"${relation}"`]))[0]?.found;
  const insertLog = (id: string, atMs: number) =>
    q(
      `INSERT INTO "RequestLog" (id, at, method, path, status, "latencyMs") VALUES ($1, $2, 'GET', '/x', 200, 1)`,
      [id, iso(atMs)],
    );

  beforeAll(async () => {
    scratch = await databaseBefore(PARTITIONED, 'm0011');
    databaseUrl = scratch.url;
    client = scratch.client;
    sql = sqlWriter(createPgPool(databaseUrl, 2));
    other = sqlWriter(createPgPool(databaseUrl, 2));
  });
  afterAll(async () => {
    await sql?.close();
    await other?.close();
    await scratch?.drop();
  });

  it('migration 0011 moves every existing row into its day partition (DEFAULT for very old ones)', async () => {
    const ages = [0, 0.5, 1, 2, 3, 9.5];
    for (const [n, age] of ages.entries()) {
      await insertLog(`log-${n}`, Date.now() - age * DAY);
      await q(
        `INSERT INTO "AiCallLog" (id, at, "orgId", "apiId", "requestId", surface, model, status, "latencyMs", "requestBody")
         VALUES ($1, $2, 'org', 'api', $1, 'chat', 'fast', 200, 5, '{"messages":[]}')`,
        [`ai-${n}`, iso(Date.now() - age * DAY)],
      );
      await q(
        `INSERT INTO "UsageEvent" (id, "subscriptionId", at, status, billable, "costMicros")
         VALUES ($1, 'sub', $2, 200, true, 12345678901234)`,
        [`ev-${n}`, iso(Date.now() - age * DAY)],
      );
    }
    await insertLog('log-ancient', Date.UTC(2001, 0, 1, 12));
    const before = await q('SELECT * FROM "RequestLog" ORDER BY id');

    expect((await migrate(databaseUrl)).applied).toContain(PARTITIONED);

    // Later migrations add columns; every row keeps every value it had.
    const columns = Object.keys(before[0] ?? {});
    const after = await q<Record<string, unknown>>('SELECT * FROM "RequestLog" ORDER BY id');
    expect(after.map((row) => Object.fromEntries(columns.map((c) => [c, row[c]])))).toEqual(before);
    for (const table of ['RequestLog', 'AiCallLog', 'UsageEvent'] as const) {
      const [kind] = await q<{ relkind: string }>(
        `SELECT relkind FROM pg_class WHERE oid = '"${table}"'::regclass`,
      );
      expect(kind?.relkind).toBe('p');
      expect(await tableExists(`${table}_unpartitioned`)).toBe(false);
      const places = await placement(table);
      const prefix = { RequestLog: 'log', AiCallLog: 'ai', UsageEvent: 'ev' }[table];
      for (const [n, age] of ages.entries()) {
        const atMs = Date.now() - age * DAY;
        // a row written a moment ago may sit on either side of midnight
        const day = Math.floor(atMs / DAY) * DAY;
        expect([dayPartitionName(table, day), dayPartitionName(table, day - DAY)]).toContain(
          places.get(`${prefix}-${n}`),
        );
      }
      const names = (await listPartitions(sql, table)).map((p) => p.name);
      expect(names).toContain(defaultPartitionName(table));
      for (let d = -1; d <= PARTITION_DAYS_AHEAD; d++)
        expect(names).toContain(dayPartitionName(table, today + d * DAY));
      const [key] = await q<{ def: string }>(
        `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = $1`,
        [`${table}_pkey`],
      );
      expect(key?.def).toBe('PRIMARY KEY (id, at)');
    }
    expect((await placement('RequestLog')).get('log-ancient')).toBe('RequestLog_default');
    expect(await q(`SELECT "costMicros"::text AS c FROM "UsageEvent" WHERE id = 'ev-0'`)).toEqual([
      { c: '12345678901234' },
    ]);
    const indexes = await q<{ indexname: string }>(
      `SELECT indexname FROM pg_indexes WHERE tablename = 'RequestLog' ORDER BY 1`,
    );
    // the indexes of the migrations after 0011 too (0012 replaced the (scope, at) ones)
    expect(indexes.map((i) => i.indexname)).toEqual([
      'RequestLog_appId_at_id_idx',
      'RequestLog_appId_path_idx',
      'RequestLog_orgId_at_id_idx',
      'RequestLog_orgId_path_idx',
      'RequestLog_pkey',
    ]);
  });

  it('creates the days ahead once under two concurrent callers', async () => {
    const later = () => today + 40 * DAY;
    const wanted = Array.from({ length: PARTITION_DAYS_AHEAD + 2 }, (_, d) =>
      dayPartitionName('RequestLog', later() + (d - 1) * DAY),
    );
    const [a, b] = await Promise.all([
      ensureDayPartitions(sql, { tables: ['RequestLog'], now: later }),
      ensureDayPartitions(other, { tables: ['RequestLog'], now: later }),
    ]);
    expect([...(a?.created ?? []), ...(b?.created ?? [])].sort()).toEqual(wanted);
    const names = (await listPartitions(sql, 'RequestLog')).map((p) => p.name);
    for (const partition of wanted) expect(names).toContain(partition);
    expect(await ensureDayPartitions(sql, { tables: ['RequestLog'], now: later })).toEqual({
      created: [],
      moved: 0,
    });
    // created by ATTACH: the partitioned indexes reach them, and rows route to them
    await insertLog('log-later', later() + 3_600_000);
    expect((await placement('RequestLog')).get('log-later')).toBe(dayPartitionName('RequestLog', later()));
    const count = (table: string) =>
      q<{ n: number }>(`SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = $1`, [table]);
    const [indexes] = await count(dayPartitionName('RequestLog', later()));
    const [parent] = await count('RequestLog');
    expect(indexes?.n).toBe(parent?.n);
    expect(indexes?.n).toBeGreaterThan(1);
  });

  it("moves the DEFAULT partition's rows of a day into the partition created for it", async () => {
    const day = today + 60 * DAY;
    await insertLog('log-early-1', day + 1_000);
    await insertLog('log-early-2', day + DAY - 1);
    await insertLog('log-next-day', day + DAY);
    expect((await placement('RequestLog')).get('log-early-1')).toBe('RequestLog_default');
    const result = await ensureDayPartitions(sql, { tables: ['RequestLog'], daysAhead: 0, now: () => day });
    expect(result.created).toEqual([
      dayPartitionName('RequestLog', day - DAY),
      dayPartitionName('RequestLog', day),
    ]);
    expect(result.moved).toBe(2);
    const places = await placement('RequestLog');
    expect(places.get('log-early-1')).toBe(dayPartitionName('RequestLog', day));
    expect(places.get('log-early-2')).toBe(dayPartitionName('RequestLog', day));
    expect(places.get('log-next-day')).toBe('RequestLog_default');
  });

  it('drops whole days past the cutoff, deletes old DEFAULT rows in batches, keeps the rest', async () => {
    const old = today - 30 * DAY;
    await ensureDayPartitions(sql, { tables: ['RequestLog'], daysAhead: 2, now: () => old });
    for (let d = -1; d <= 2; d++) {
      for (let n = 0; n < 3; n++) await insertLog(`old-${d}-${n}`, old + d * DAY + n * 3_600_000);
    }
    for (let n = 0; n < 5; n++) await insertLog(`default-old-${n}`, old - 10 * DAY + n);
    await insertLog('default-kept', old + 10 * DAY);
    // the cutoff falls inside day +1: days −1, 0 go whole, +1 stays whole
    const cutoff = new Date(old + DAY + 12 * 3_600_000);
    const result = await expireDayPartitions(sql, {
      table: 'RequestLog',
      cutoff,
      runLockId: 42_001,
      batchSize: 2,
    });

    const gone = [-1, 0].map((d) => dayPartitionName('RequestLog', old + d * DAY));
    expect(result.dropped).toEqual(expect.arrayContaining(gone));
    expect(result).toMatchObject({ ran: true, deleted: 6, batches: 4 }); // 5 + ancient; batches of 2
    for (const partition of gone) {
      expect(await tableExists(partition)).toBe(false);
      const [inherited] = await q<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE c.relname = $1`,
        [partition],
      );
      expect(inherited?.n).toBe(0);
    }
    const places = await placement('RequestLog');
    for (let n = 0; n < 3; n++) {
      expect(places.has(`old--1-${n}`)).toBe(false);
      expect(places.has(`old-0-${n}`)).toBe(false);
      expect(places.get(`old-1-${n}`)).toBe(dayPartitionName('RequestLog', old + DAY));
      expect(places.get(`old-2-${n}`)).toBe(dayPartitionName('RequestLog', old + 2 * DAY));
    }
    for (let n = 0; n < 5; n++) expect(places.has(`default-old-${n}`)).toBe(false);
    expect(places.has('log-ancient')).toBe(false);
    expect(places.get('default-kept')).toBe('RequestLog_default');
    expect(places.get('log-0')).toBe(dayPartitionName('RequestLog', Math.floor(Date.now() / DAY) * DAY));
    expect(await expireDayPartitions(sql, { table: 'RequestLog', cutoff, runLockId: 42_001 })).toMatchObject({
      ran: true,
      dropped: [],
      deleted: 0,
    });
  });

  it('stops when another process holds the run lock, and leaves everything in place', async () => {
    const old = today - 50 * DAY;
    await ensureDayPartitions(sql, { tables: ['AiCallLog'], daysAhead: 0, now: () => old });
    const holderPool = createPgPool(databaseUrl, 1);
    const holder = await holderPool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock(42002)');
      const result = await expireDayPartitions(sql, {
        table: 'AiCallLog',
        cutoff: new Date(today),
        runLockId: 42_002,
      });
      expect(result).toEqual({ ran: false, dropped: [], deleted: 0, batches: 0 });
      expect(await tableExists(dayPartitionName('AiCallLog', old))).toBe(true);
      await holder.query('COMMIT');
    } finally {
      holder.release();
      await holderPool.end();
    }
    const result = await expireDayPartitions(sql, {
      table: 'AiCallLog',
      cutoff: new Date(today),
      runLockId: 42_002,
    });
    expect(result.dropped).toContain(dayPartitionName('AiCallLog', old));
  });
});
