import type { Db } from '@portcullis/db';
import { describe, expect, it } from 'vitest';
import { UsageMeter } from './meter.ts';

interface Call {
  sql: string;
  values: unknown[];
}

/** A stand-in for Prisma that records statements and can fail or report a batch as already applied. */
function fakeDb(script: { failTimes?: number; alreadyApplied?: boolean } = {}) {
  const committed: Call[][] = [];
  let failures = script.failTimes ?? 0;
  const db = {
    async $transaction(fn: (tx: unknown) => Promise<void>) {
      const calls: Call[] = [];
      const tx = {
        $executeRaw(strings: TemplateStringsArray, ...values: unknown[]) {
          const sql = strings.join('?');
          calls.push({ sql, values });
          if (sql.includes('"UsageBatch"')) return Promise.resolve(script.alreadyApplied ? 0 : 1);
          return Promise.resolve(1);
        },
        requestLog: {
          createMany: async (args: unknown) => calls.push({ sql: 'requestLog.createMany', values: [args] }),
        },
        apiKey: {
          updateMany: async (args: unknown) => calls.push({ sql: 'apiKey.updateMany', values: [args] }),
        },
      };
      await fn(tx);
      if (failures > 0) {
        failures--;
        throw new Error('connection lost');
      }
      committed.push(calls);
    },
  };
  return { db: db as unknown as Db, committed };
}

const at = Date.UTC(2026, 10, 23, 13, 45);

describe('UsageMeter', () => {
  it('aggregates per subscription, hour and status class; billable excludes 5xx', async () => {
    const { db, committed } = fakeDb();
    const meter = new UsageMeter(db, { flushIntervalMs: 1_000 });
    meter.recordUsage({ subscriptionId: 's1', atMs: at, status: 200, bytesIn: 10, bytesOut: 100 });
    meter.recordUsage({ subscriptionId: 's1', atMs: at + 60_000, status: 201, bytesIn: 5, bytesOut: 50 });
    meter.recordUsage({ subscriptionId: 's1', atMs: at, status: 502, bytesIn: 1, bytesOut: 0 });
    await meter.flush();
    expect(committed).toHaveLength(1);
    const rollup = committed[0]?.find((c) => c.sql.includes('"UsageRollup"'));
    // The VALUES list arrives as one Prisma.Sql whose flattened values are the rows' parameters.
    const list = rollup?.values.find(
      (v): v is { values: unknown[] } => typeof v === 'object' && v !== null && 'values' in v,
    );
    expect(list?.values).toHaveLength(2 * 8);
    const flat = JSON.stringify(list?.values);
    expect(flat).toContain('"s1","2026-11-23T13:00:00.000Z",2,2,2,15,150');
    expect(flat).toContain('"s1","2026-11-23T13:00:00.000Z",5,1,0,1,0');
  });

  it('retries a failed batch with the same id and does not lose events recorded meanwhile', async () => {
    const { db, committed } = fakeDb({ failTimes: 1 });
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
    const { db, committed } = fakeDb({ alreadyApplied: true });
    const meter = new UsageMeter(db, { flushIntervalMs: 1_000 });
    meter.recordUsage({ subscriptionId: 's1', atMs: at, status: 200, bytesIn: 0, bytesOut: 0 });
    await meter.flush();
    expect(committed[0]?.map((c) => c.sql.includes('"UsageRollup"'))).toEqual([false]);
  });

  it('touches a key at most once a minute', async () => {
    const { db, committed } = fakeDb();
    const meter = new UsageMeter(db, { flushIntervalMs: 1_000 });
    meter.touchKey('k1', at);
    meter.touchKey('k1', at + 30_000);
    meter.touchKey('k2', at + 30_000);
    await meter.flush();
    meter.touchKey('k1', at + 59_000);
    await meter.flush();
    meter.touchKey('k1', at + 61_000);
    await meter.flush();
    const touches = committed.flat().filter((c) => c.sql === 'apiKey.updateMany');
    expect(touches).toHaveLength(3);
    expect(JSON.stringify(touches.map((t) => t.values))).toContain(new Date(at + 61_000).toISOString());
  });

  it('does nothing when there is nothing to write', async () => {
    const { db, committed } = fakeDb();
    const meter = new UsageMeter(db, { flushIntervalMs: 1_000 });
    await meter.flush();
    await meter.close();
    expect(committed).toHaveLength(0);
  });

  it('merges cuts made during an outage into one unsent batch and loses nothing', async () => {
    const { db, committed } = fakeDb({ failTimes: 3 });
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

  it('shows every request log entry to onRequestLog', () => {
    const { db } = fakeDb();
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
});
