import { randomUUID } from 'node:crypto';
import { createDb, type Db, prismaSqlRunner } from '@portcullis/db';
import { createPgPool, type SqlWriter, sqlWriter } from '@portcullis/db/pg';
import { applyUsageEvents } from '@portcullis/usage/apply';
import type { StreamUsageEvent } from '@portcullis/usage/stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageMeter } from '../../gateway/src/usage/meter.ts';
import { databaseUrl, seedSubscriptions } from './test-helpers.ts';

const HOUR = Date.UTC(2026, 10, 23, 10);

function toolCall(subscriptionId: string, tool: string, minute: number, status = 200): StreamUsageEvent {
  return {
    id: randomUUID(),
    subscriptionId,
    atMs: HOUR + minute * 60_000,
    status,
    billable: status < 500,
    bytesIn: 10,
    bytesOut: 20,
    tool,
  };
}

async function toolRollups(db: Db, subscriptionIds: string[]) {
  const rows = await db.toolCallRollup.findMany({
    where: { subscriptionId: { in: subscriptionIds } },
    orderBy: [{ subscriptionId: 'asc' }, { bucketStart: 'asc' }, { tool: 'asc' }],
    select: { subscriptionId: true, bucketStart: true, tool: true, calls: true, billable: true },
  });
  return rows.map((r) => ({
    sid: subscriptionIds.indexOf(r.subscriptionId),
    hour: r.bucketStart.toISOString(),
    tool: r.tool,
    calls: r.calls,
    billable: r.billable,
  }));
}

describe('tool-call rollups', () => {
  let db: Db;
  let sql: SqlWriter;
  beforeAll(() => {
    db = createDb(databaseUrl(), 2);
    sql = sqlWriter(createPgPool(databaseUrl(), 2));
  });
  afterAll(async () => {
    await sql?.close();
    await db?.$disconnect();
  });

  it('counts each tool call once per subscription, hour and tool, replays included', async () => {
    const subs = await seedSubscriptions(db, 2);
    const [a, b] = subs as [string, string];
    const events = [
      toolCall(a, 'search', 1),
      toolCall(a, 'search', 2),
      toolCall(a, 'search', 3, 502),
      toolCall(a, 'create_order', 4),
      toolCall(a, 'search', 61), // the next hour
      toolCall(b, 'search', 5),
      { ...toolCall(b, 'x', 6), tool: undefined }, // a plain request: no tool row
    ];
    const first = await applyUsageEvents(prismaSqlRunner(db), events);
    expect(first).toMatchObject({ applied: 7, duplicates: 0 });
    const expected = [
      { sid: 0, hour: '2026-11-23T10:00:00.000Z', tool: 'create_order', calls: 1n, billable: 1n },
      { sid: 0, hour: '2026-11-23T10:00:00.000Z', tool: 'search', calls: 3n, billable: 2n },
      { sid: 0, hour: '2026-11-23T11:00:00.000Z', tool: 'search', calls: 1n, billable: 1n },
      { sid: 1, hour: '2026-11-23T10:00:00.000Z', tool: 'search', calls: 1n, billable: 1n },
    ];
    expect(await toolRollups(db, subs)).toEqual(expected);

    // Redelivery (alone, and mixed with a new call): the replayed calls add nothing.
    expect(await applyUsageEvents(prismaSqlRunner(db), events)).toMatchObject({ applied: 0, duplicates: 7 });
    const late = toolCall(b, 'search', 7);
    expect(await applyUsageEvents(sql, [...events.slice(0, 3), late, late])).toMatchObject({
      applied: 1,
      duplicates: 4,
    });
    expected[3] = { ...expected[3], calls: 2n, billable: 2n } as (typeof expected)[number];
    expect(await toolRollups(db, subs)).toEqual(expected);
    // The usage rollups count the tool calls as requests, in the same statement.
    const usage = await db.usageRollup.aggregate({
      where: { subscriptionId: { in: subs } },
      _sum: { requests: true },
    });
    expect(usage._sum.requests).toBe(8n);
  });

  it('counts tool calls of the embedded meter (no Redis) in the same rollup', async () => {
    const subs = await seedSubscriptions(db, 1);
    const [a] = subs as [string];
    const meter = new UsageMeter(sql, { flushIntervalMs: 60_000 });
    meter.recordUsage(toolCall(a, 'search', 1));
    meter.recordUsage(toolCall(a, 'search', 2, 503));
    await meter.flush();
    meter.recordUsage(toolCall(a, 'search', 3));
    meter.recordUsage(toolCall(a, 'lookup', 4));
    await meter.close();
    expect(await toolRollups(db, subs)).toEqual([
      { sid: 0, hour: '2026-11-23T10:00:00.000Z', tool: 'lookup', calls: 1n, billable: 1n },
      { sid: 0, hour: '2026-11-23T10:00:00.000Z', tool: 'search', calls: 3n, billable: 2n },
    ]);
  });
});
