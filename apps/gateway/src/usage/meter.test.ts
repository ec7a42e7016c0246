import type { SqlWriter } from '@portcullis/db/pg';
import { describe, expect, it } from 'vitest';
import { type RequestLogEntry, UsageMeter } from './meter.ts';

interface Call {
  sql: string;
  values: unknown[];
}

/** A stand-in for the node-postgres batch writer: records statements, can fail or report a batch applied. */
function fakeSql(script: { failTimes?: number; alreadyApplied?: boolean } = {}) {
  const committed: Call[][] = [];
  /** statements run outside any transaction (the request-log inserts) */
  const outside: Call[] = [];
  let failures = script.failTimes ?? 0;
  const sql: SqlWriter = {
    async execute(text, values = []) {
      outside.push({ sql: text, values: [...values] });
      return 1;
    },
    rows: async () => [],
    async transaction(fn) {
      const calls: Call[] = [];
      const result = await fn({
        async execute(text, values = []) {
          calls.push({ sql: text, values: [...values] });
          return text.includes('"UsageBatch"') && script.alreadyApplied ? 0 : 1;
        },
        rows: async () => [],
      });
      if (failures > 0) {
        failures--;
        throw new Error('connection lost');
      }
      committed.push(calls);
      return result;
    },
    close: async () => undefined,
  };
  return { db: sql, committed, outside };
}

/** The rows of a statement's JSON parameter ($1). */
function jsonRows<T>(calls: Call[] | undefined, marker: string): T[] {
  const statement = calls?.find((c) => c.sql.includes(marker));
  const json = statement?.values[0];
  return typeof json === 'string' ? (JSON.parse(json) as T[]) : [];
}

const at = Date.UTC(2026, 10, 23, 13, 45);

function logEntry(overrides: Partial<RequestLogEntry> = {}): RequestLogEntry {
  return {
    id: `r-${Math.random()}`,
    at: new Date(at),
    orgId: 'o1',
    apiId: 'a1',
    appId: 'app1',
    keyId: 'k1',
    subscriptionId: 's1',
    method: 'GET',
    path: '/x',
    status: 200,
    latencyMs: 7,
    upstreamMs: 5,
    bytesIn: 0,
    bytesOut: 0,
    clientIp: null,
    userAgent: null,
    errorCode: null,
    ...overrides,
  };
}

interface LatencyRow {
  apiId: string;
  subscriptionId: string;
  bucketStart: string;
  counts: number[];
  requests: number;
  errors: number;
}

/** The rows of a batch's LatencyRollup statement (its one JSON parameter). */
function latencyRows(calls: Call[] | undefined): LatencyRow[] {
  return jsonRows<LatencyRow>(calls, 'INSERT INTO "LatencyRollup"');
}

/** Counts with `n` in the bucket at `index` (14 buckets: ≤1, ≤2, ≤5, ≤10, ≤20, ≤50, … ≤10000, more). */
function countsWith(...entries: Array<[index: number, n: number]>): number[] {
  const counts = new Array<number>(14).fill(0);
  for (const [index, n] of entries) counts[index] = n;
  return counts;
}

describe('UsageMeter', () => {
  it('aggregates per subscription, hour and status class; billable excludes 5xx', async () => {
    const { db, committed } = fakeSql();
    const meter = new UsageMeter(db, { flushIntervalMs: 1_000 });
    meter.recordUsage({ subscriptionId: 's1', atMs: at, status: 200, bytesIn: 10, bytesOut: 100 });
    meter.recordUsage({ subscriptionId: 's1', atMs: at + 60_000, status: 201, bytesIn: 5, bytesOut: 50 });
    meter.recordUsage({ subscriptionId: 's1', atMs: at, status: 502, bytesIn: 1, bytesOut: 0 });
    await meter.flush();
    expect(committed).toHaveLength(1);
    // The rows arrive as one JSON parameter: one row per subscription × hour × status class.
    const rows = jsonRows<Record<string, unknown>>(committed[0], '"UsageRollup"');
    expect(rows).toHaveLength(2);
    expect(rows).toContainEqual(
      expect.objectContaining({ sid: 's1', bucket: '2026-11-23T13:00:00.000Z', cls: 2, requests: 2 }),
    );
    expect(rows).toContainEqual(
      expect.objectContaining({ cls: 2, billable: 2, bytes_in: 15, bytes_out: 150 }),
    );
    expect(rows).toContainEqual(
      expect.objectContaining({ cls: 5, requests: 1, billable: 0, bytes_in: 1, bytes_out: 0 }),
    );
  });

  it('carries tokens and cost (0 when absent) and writes hourly and daily rollups in one statement', async () => {
    const { db, committed } = fakeSql();
    const meter = new UsageMeter(db, { flushIntervalMs: 1_000 });
    meter.recordUsage({
      subscriptionId: 's1',
      atMs: at,
      status: 200,
      bytesIn: 1,
      bytesOut: 2,
      tokensIn: 30,
      tokensOut: 70,
      costMicros: 2n ** 60n,
    });
    meter.recordUsage({
      subscriptionId: 's1',
      atMs: at,
      status: 200,
      bytesIn: 1,
      bytesOut: 2,
      costMicros: 5,
    });
    meter.recordUsage({
      subscriptionId: 's2',
      atMs: at,
      status: 429,
      bytesIn: 0,
      bytesOut: 0,
      billable: false,
    });
    await meter.flush();
    const statement = committed[0]?.find((c) => c.sql.includes('"UsageRollup"'));
    expect(statement?.sql).toContain('INSERT INTO "UsageDailyRollup"');
    expect(statement?.sql).toContain('GROUP BY v.sid, v.at::date, v.cls');
    const rows = jsonRows<Record<string, unknown>>(committed[0], '"UsageRollup"');
    const row = (sid: string, cls: number) => ({ sid, bucket: '2026-11-23T13:00:00.000Z', cls });
    // requests, billable, bytes in/out, tokens in/out, cost (exact, as a decimal string)
    expect(rows).toContainEqual({
      ...row('s1', 2),
      requests: 2,
      billable: 2,
      bytes_in: 2,
      bytes_out: 4,
      tokens_in: 30,
      tokens_out: 70,
      cost: `${2n ** 60n + 5n}`,
    });
    expect(rows).toContainEqual({
      ...row('s2', 4),
      requests: 1,
      billable: 0,
      bytes_in: 0,
      bytes_out: 0,
      tokens_in: 0,
      tokens_out: 0,
      cost: '0',
    });
  });

  it('retries a failed batch with the same id and does not lose events recorded meanwhile', async () => {
    const { db, committed } = fakeSql({ failTimes: 1 });
    const errors: string[] = [];
    const meter = new UsageMeter(db, { flushIntervalMs: 1_000, onFlushError: (_e, id) => errors.push(id) });
    meter.recordUsage({ subscriptionId: 's1', atMs: at, status: 200, bytesIn: 0, bytesOut: 0 });
    await meter.flush();
    expect(committed).toHaveLength(0);
    expect(meter.pendingBatches).toBe(1);
    meter.recordUsage({ subscriptionId: 's2', atMs: at, status: 200, bytesIn: 0, bytesOut: 0 });
    await meter.flush();
    expect(committed).toHaveLength(2);
    const batchIds = committed.map((calls) => calls.find((c) => c.sql.includes('"UsageBatch"'))?.values[0]);
    expect(batchIds[0]).toBe(errors[0]);
    expect(batchIds[1]).not.toBe(batchIds[0]);
    expect(meter.pendingBatches).toBe(0);
  });

  it('skips rollups of a batch that was already applied', async () => {
    const { db, committed } = fakeSql({ alreadyApplied: true });
    const meter = new UsageMeter(db, { flushIntervalMs: 1_000 });
    meter.recordUsage({ subscriptionId: 's1', atMs: at, status: 200, bytesIn: 0, bytesOut: 0 });
    await meter.flush();
    expect(committed[0]?.map((c) => c.sql.includes('"UsageRollup"'))).toEqual([false]);
  });

  it('touches a key at most once a minute', async () => {
    const { db, committed } = fakeSql();
    const meter = new UsageMeter(db, { flushIntervalMs: 1_000 });
    meter.touchKey('k1', at);
    meter.touchKey('k1', at + 30_000);
    meter.touchKey('k2', at + 30_000);
    await meter.flush();
    meter.touchKey('k1', at + 59_000);
    await meter.flush();
    meter.touchKey('k1', at + 61_000);
    await meter.flush();
    const touches = committed.map((calls) => jsonRows<{ id: string; at: string }>(calls, 'UPDATE "ApiKey"'));
    expect(touches).toEqual([
      [
        { id: 'k1', at: new Date(at).toISOString() },
        { id: 'k2', at: new Date(at + 30_000).toISOString() },
      ],
      [{ id: 'k1', at: new Date(at + 61_000).toISOString() }],
    ]);
  });

  it('forgets keys not used for two touch intervals', async () => {
    const { db } = fakeSql();
    const meter = new UsageMeter(db, { flushIntervalMs: 1_000 });
    for (let i = 0; i < 1_000; i++) meter.touchKey(`k${i}`, at);
    expect(meter.trackedKeyCount).toBe(1_000);
    meter.touchKey('busy', at + 61_000);
    expect(meter.trackedKeyCount).toBe(1_001);
    meter.touchKey('busy', at + 122_000);
    expect(meter.trackedKeyCount).toBe(2); // 'busy' in both generations; the thousand are gone
    await meter.close();
  });

  it('does nothing when there is nothing to write', async () => {
    const { db, committed } = fakeSql();
    const meter = new UsageMeter(db, { flushIntervalMs: 1_000 });
    await meter.flush();
    await meter.close();
    expect(committed).toHaveLength(0);
  });

  it('merges cuts made during an outage into one unsent batch and loses nothing', async () => {
    const { db, committed } = fakeSql({ failTimes: 3 });
    const seen: string[] = [];
    const meter = new UsageMeter(db, { flushIntervalMs: 1_000, onRequestLog: (e) => seen.push(e.id) });
    for (let round = 0; round < 3; round++) {
      meter.recordUsage({ subscriptionId: 's1', atMs: at, status: 200, bytesIn: 1, bytesOut: 2 });
      await meter.flush(); // fails: the first batch is retried, the later cuts merge behind it
    }
    expect(committed).toHaveLength(0);
    expect(meter.pendingBatches).toBe(2);
    meter.recordUsage({ subscriptionId: 's1', atMs: at, status: 200, bytesIn: 1, bytesOut: 2 });
    await meter.flush();
    expect(committed).toHaveLength(2);
    expect(meter.pendingBatches).toBe(0);
    const events = committed.map((calls) => calls.find((c) => c.sql.includes('"UsageBatch"'))?.values[1]);
    expect(events).toEqual([1, 3]);
    expect(seen).toEqual([]);
  });

  it('writes request logs after the transaction, also when a retry finds the batch applied', async () => {
    const { db, committed, outside } = fakeSql({ alreadyApplied: true });
    const meter = new UsageMeter(db, { flushIntervalMs: 1_000 });
    const entry = logEntry();
    meter.recordLog(entry);
    await meter.flush();
    expect(outside.map((c) => c.sql.includes('INSERT INTO "RequestLog"'))).toEqual([true]);
    expect(jsonRows(outside, '"RequestLog"')).toEqual([JSON.parse(JSON.stringify(entry))]);
    // not inside the transaction as well
    expect(committed.flat().some((c) => c.sql.includes('"RequestLog"'))).toBe(false);
  });

  it('shows every request log entry to onRequestLog', () => {
    const { db } = fakeSql();
    const seen: string[] = [];
    const meter = new UsageMeter(db, { flushIntervalMs: 1_000, onRequestLog: (e) => seen.push(e.id) });
    const entry = {
      id: 'r1',
      at: new Date(at),
      orgId: null,
      apiId: null,
      appId: null,
      keyId: null,
      subscriptionId: null,
      method: 'GET',
      path: '/x',
      status: 404,
      latencyMs: 1,
      upstreamMs: null,
      bytesIn: 0,
      bytesOut: 0,
      clientIp: null,
      userAgent: null,
      errorCode: 'route_not_found',
    };
    meter.recordLog(entry);
    meter.recordLog({ ...entry, id: 'r2' });
    expect(seen).toEqual(['r1', 'r2']);
  });

  it('aggregates latency histograms per API, subscription and hour, with requests and 5xx errors', async () => {
    const { db, committed } = fakeSql();
    const meter = new UsageMeter(db, { flushIntervalMs: 1_000 });
    meter.recordLog(logEntry({ latencyMs: 7 }));
    meter.recordLog(logEntry({ latencyMs: 8, status: 404 }));
    meter.recordLog(logEntry({ latencyMs: 120, status: 502 }));
    meter.recordLog(logEntry({ latencyMs: 12_000, status: 504 }));
    meter.recordLog(logEntry({ latencyMs: 1, at: new Date(at + 3_600_000) })); // next hour
    meter.recordLog(logEntry({ latencyMs: 3, subscriptionId: null, status: 401 })); // refused before a sub
    meter.recordLog(logEntry({ latencyMs: 3, apiId: 'a2' }));
    meter.recordLog(logEntry({ latencyMs: 3, apiId: null, subscriptionId: null, status: 404 })); // no API
    await meter.flush();
    const rows = latencyRows(committed[0]).sort((a, b) =>
      `${a.apiId}${a.subscriptionId}${a.bucketStart}`.localeCompare(
        `${b.apiId}${b.subscriptionId}${b.bucketStart}`,
      ),
    );
    expect(rows).toEqual([
      {
        apiId: 'a1',
        subscriptionId: '',
        bucketStart: '2026-11-23T13:00:00.000Z',
        counts: countsWith([2, 1]),
        requests: 1,
        errors: 0,
      },
      {
        apiId: 'a1',
        subscriptionId: 's1',
        bucketStart: '2026-11-23T13:00:00.000Z',
        counts: countsWith([3, 2], [7, 1], [13, 1]),
        requests: 4,
        errors: 2,
      },
      {
        apiId: 'a1',
        subscriptionId: 's1',
        bucketStart: '2026-11-23T14:00:00.000Z',
        counts: countsWith([0, 1]),
        requests: 1,
        errors: 0,
      },
      {
        apiId: 'a2',
        subscriptionId: 's1',
        bucketStart: '2026-11-23T13:00:00.000Z',
        counts: countsWith([2, 1]),
        requests: 1,
        errors: 0,
      },
    ]);
    const statement = committed[0]?.find((c) => c.sql.includes('"LatencyRollup"'));
    // Existing rows get the counts added element-wise, in the same transaction as the UsageBatch id.
    expect(statement?.sql).toContain('ON CONFLICT ("apiId", "subscriptionId", "bucketStart") DO UPDATE');
    expect(statement?.sql).toContain('unnest("LatencyRollup".counts, excluded.counts) WITH ORDINALITY');
    // The daily histograms in the same statement, merged the same way.
    expect(statement?.sql).toContain('INSERT INTO "LatencyDailyRollup"');
    expect(statement?.sql).toContain('unnest("LatencyDailyRollup".counts, excluded.counts) WITH ORDINALITY');
    expect(committed[0]?.[0]?.sql).toContain('"UsageBatch"');
  });

  it('writes latency even for batches with no usage events and skips it for an applied batch', async () => {
    const applied = fakeSql({ alreadyApplied: true });
    const meter = new UsageMeter(applied.db, { flushIntervalMs: 1_000 });
    meter.recordLog(logEntry());
    await meter.flush();
    expect(applied.committed).toHaveLength(1);
    expect(latencyRows(applied.committed[0])).toEqual([]);

    const fresh = fakeSql();
    const other = new UsageMeter(fresh.db, { flushIntervalMs: 1_000 });
    other.recordLog(logEntry());
    await other.flush();
    expect(latencyRows(fresh.committed[0])).toHaveLength(1);
  });

  it('keeps counting latency when request logs are dropped at the cap', async () => {
    const { db, committed } = fakeSql();
    const meter = new UsageMeter(db, { flushIntervalMs: 1_000 });
    const total = 50_010;
    for (let i = 0; i < total; i++) meter.recordLog(logEntry({ id: `r${i}` }));
    expect(meter.droppedLogCount).toBe(10);
    await meter.flush();
    const rows = committed.flatMap((calls) => latencyRows(calls));
    expect(rows.reduce((sum, r) => sum + r.requests, 0)).toBe(total);
    expect(rows.reduce((sum, r) => sum + (r.counts[3] ?? 0), 0)).toBe(total);
  });

  it('retries latency with its batch and merges later cuts into the unsent one element-wise', async () => {
    const { db, committed } = fakeSql({ failTimes: 2 });
    const ids: string[] = [];
    const meter = new UsageMeter(db, { flushIntervalMs: 1_000, onFlushError: (_e, id) => ids.push(id) });
    meter.recordLog(logEntry({ latencyMs: 4 }));
    await meter.flush(); // batch 1 fails (and is frozen)
    meter.recordLog(logEntry({ latencyMs: 40, status: 500 }));
    await meter.flush(); // batch 1 fails again; batch 2 created behind it
    meter.recordLog(logEntry({ latencyMs: 45 }));
    meter.recordLog(logEntry({ latencyMs: 2 }));
    await meter.flush(); // merged into the unsent batch 2, then both commit
    expect(committed).toHaveLength(2);
    expect(committed.map((calls) => calls.find((c) => c.sql.includes('"UsageBatch"'))?.values[0])).toEqual([
      ids[0],
      expect.not.stringMatching(ids[0] ?? ''),
    ]);
    expect(latencyRows(committed[0])).toMatchObject([{ counts: countsWith([2, 1]), requests: 1, errors: 0 }]);
    expect(latencyRows(committed[1])).toMatchObject([
      { counts: countsWith([1, 1], [5, 2]), requests: 3, errors: 1 },
    ]);
  });
});
