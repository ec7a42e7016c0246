import { createDb, type Db, prismaSqlRunner } from '@portcullis/db';
import { createPgPool, type SqlWriter, sqlWriter } from '@portcullis/db/pg';
import { applyUsageEvents } from '@portcullis/usage/apply';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageMeter } from '../../gateway/src/usage/meter.ts';
import { ensurePartitions, pruneUsageEvents } from './retention.ts';
import {
  countRecorded,
  databaseUrl,
  expectedTotals,
  makeEvents,
  rollupTotals,
  seedSubscriptions,
} from './test-helpers.ts';

describe('applyUsageEvents (Postgres)', () => {
  let db: Db;
  beforeAll(() => {
    db = createDb(databaseUrl(), 3);
  });
  afterAll(async () => {
    await db?.$disconnect();
  });

  it('records every event once and rolls them up exactly, hourly and daily', async () => {
    const subs = await seedSubscriptions(db, 3);
    const events = makeEvents(subs, 3_000);
    const result = await applyUsageEvents(prismaSqlRunner(db), events);
    expect(result).toMatchObject({ received: 3_000, applied: 3_000, duplicates: 0 });
    expect(
      await countRecorded(
        db,
        events.map((e) => e.id),
      ),
    ).toBe(3_000);
    const totals = await rollupTotals(db, subs);
    expect(totals.hourly).toEqual(expectedTotals(events));
    expect(totals.daily).toEqual(expectedTotals(events));
    expect(totals.hourly.costMicros).toBeGreaterThan(0n);
    // 23:30-00:30 UTC: two hours and two days, 5 status classes, 3 subscriptions.
    const hours = await db.usageRollup.findMany({
      where: { subscriptionId: subs[0] },
      distinct: ['bucketStart'],
    });
    const days = await db.usageDailyRollup.findMany({
      where: { subscriptionId: subs[0] },
      distinct: ['day'],
    });
    expect(hours.map((h) => h.bucketStart.toISOString()).sort()).toEqual([
      '2026-11-23T23:00:00.000Z',
      '2026-11-24T00:00:00.000Z',
    ]);
    expect(days.map((d) => d.day.toISOString()).sort()).toEqual([
      '2026-11-23T00:00:00.000Z',
      '2026-11-24T00:00:00.000Z',
    ]);
  });

  it('changes nothing when the same events are applied again, alone or mixed with new ones', async () => {
    const subs = await seedSubscriptions(db, 2);
    const first = makeEvents(subs, 500);
    await applyUsageEvents(prismaSqlRunner(db), first);
    const before = await rollupTotals(db, subs);
    expect(await applyUsageEvents(prismaSqlRunner(db), first)).toMatchObject({
      received: 500,
      applied: 0,
      duplicates: 500,
    });
    expect(await rollupTotals(db, subs)).toEqual(before);

    const fresh = makeEvents(subs, 100);
    const mixed = [...first.slice(0, 50), ...fresh, ...fresh.slice(0, 10)];
    const result = await applyUsageEvents(prismaSqlRunner(db), mixed);
    expect(result).toMatchObject({ received: 160, applied: 100, duplicates: 60 });
    expect(result.appliedEvents.map((e) => e.id).sort()).toEqual(fresh.map((e) => e.id).sort());
    const after = await rollupTotals(db, subs);
    expect(after.hourly).toEqual(expectedTotals([...first, ...fresh]));
    expect(after.daily).toEqual(expectedTotals([...first, ...fresh]));
  });

  it('applies concurrent redeliveries of one batch once', async () => {
    const subs = await seedSubscriptions(db, 1);
    const events = makeEvents(subs, 1_000);
    const results = await Promise.all([
      applyUsageEvents(prismaSqlRunner(db), events),
      applyUsageEvents(prismaSqlRunner(db), events),
    ]);
    expect(results.reduce((sum, r) => sum + r.applied, 0)).toBe(1_000);
    expect((await rollupTotals(db, subs)).hourly).toEqual(expectedTotals(events));
  });

  it('records events of a deleted subscription without failing the batch or rolling them up', async () => {
    const subs = await seedSubscriptions(db, 1);
    const events = makeEvents([...subs, 'cm-deleted-subscription'], 10);
    expect(await applyUsageEvents(prismaSqlRunner(db), events)).toMatchObject({ applied: 10 });
    expect((await rollupTotals(db, subs)).hourly).toEqual(
      expectedTotals(events.filter((e) => e.subscriptionId === subs[0])),
    );
  });

  it('recognises a redelivered event in its day partition, in DEFAULT, and after its day was split out', async () => {
    const subs = await seedSubscriptions(db, 2);
    const DAY = 86_400_000;
    const todays = makeEvents(subs, 20, () => Date.now());
    // a day without a partition yet: its events go to DEFAULT
    const laterDay = Math.floor(Date.now() / DAY) * DAY + 100 * DAY;
    const later = makeEvents(subs, 20, () => laterDay + 3_600_000);
    await applyUsageEvents(prismaSqlRunner(db), [...todays, ...later]);
    const partitionOf = async (id: string) =>
      (
        await db.$queryRaw<{ part: string }[]>`
          SELECT tableoid::regclass::text AS part FROM "UsageEvent" WHERE id = ${id}`
      )[0]?.part;
    expect(await partitionOf(later[0]?.id ?? '')).toBe('"UsageEvent_default"');
    const before = await rollupTotals(db, subs);
    expect(await applyUsageEvents(prismaSqlRunner(db), [...todays, ...later])).toMatchObject({
      applied: 0,
      duplicates: 40,
    });
    const created = await ensurePartitions(db, { now: () => laterDay });
    expect(created.moved).toBeGreaterThanOrEqual(20);
    expect(await partitionOf(later[0]?.id ?? '')).not.toBe('"UsageEvent_default"');
    expect(await applyUsageEvents(prismaSqlRunner(db), later.slice(0, 5))).toMatchObject({
      applied: 0,
      duplicates: 5,
    });
    expect(await rollupTotals(db, subs)).toEqual(before);
    expect(before.hourly).toEqual(expectedTotals([...todays, ...later]));
  });

  it('prunes the dedupe ledger past retention by event time, in batches, and keeps the rollups', async () => {
    const subs = await seedSubscriptions(db, 1);
    // Events of 2026-11-23/24, before any day partition: they sit in UsageEvent's DEFAULT partition.
    const events = makeEvents(subs, 30);
    const eventsEndMs = Math.max(...events.map((e) => e.atMs));
    await applyUsageEvents(prismaSqlRunner(db), events);
    const recent = makeEvents(subs, 5, () => eventsEndMs + 2 * 86_400_000);
    await applyUsageEvents(prismaSqlRunner(db), recent);
    const before = await rollupTotals(db, subs);
    const result = await pruneUsageEvents(db, {
      retentionDays: 35,
      batchSize: 7,
      now: () => eventsEndMs + 1 + 35 * 86_400_000,
    });
    expect(result.ran).toBe(true);
    expect(result.deleted).toBeGreaterThanOrEqual(30);
    expect(result.batches).toBeGreaterThanOrEqual(5);
    expect(
      await countRecorded(
        db,
        events.map((e) => e.id),
      ),
    ).toBe(0);
    expect(
      await countRecorded(
        db,
        recent.map((e) => e.id),
      ),
    ).toBe(5);
    expect(await rollupTotals(db, subs)).toEqual(before);
  });
});

describe('UsageMeter (embedded mode) against Postgres', () => {
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

  it('maintains the daily rollups and the token and cost columns alongside the hourly ones', async () => {
    const subs = await seedSubscriptions(db, 2);
    const events = makeEvents(subs, 400);
    const meter = new UsageMeter(sql, { flushIntervalMs: 60_000 });
    for (const event of events) meter.recordUsage(event);
    await meter.flush();
    const later = makeEvents(subs, 40);
    for (const event of later) meter.recordUsage(event);
    await meter.close();
    const totals = await rollupTotals(db, subs);
    expect(totals.hourly).toEqual(expectedTotals([...events, ...later]));
    expect(totals.daily).toEqual(expectedTotals([...events, ...later]));
    const dayKeys = new Set(
      [...events, ...later].map(
        (e) =>
          `${e.subscriptionId}|${new Date(e.atMs).toISOString().slice(0, 10)}|${Math.floor(e.status / 100)}`,
      ),
    );
    expect(dayKeys.size).toBeGreaterThan(10);
    expect(await db.usageDailyRollup.count({ where: { subscriptionId: { in: subs } } })).toBe(dayKeys.size);
  });

  it('adds up with the Redis-outage fallback (node-postgres) and the worker (Prisma) on the same rows', async () => {
    const subs = await seedSubscriptions(db, 2);
    const events = makeEvents(subs, 600);
    const meter = new UsageMeter(sql, { flushIntervalMs: 60_000 });
    for (const event of events.slice(0, 200)) meter.recordUsage(event);
    await meter.close();
    expect(await applyUsageEvents(sql, events.slice(200, 400))).toMatchObject({ applied: 200 });
    expect(await applyUsageEvents(prismaSqlRunner(db), events.slice(300))).toMatchObject({
      applied: 200,
      duplicates: 100,
    });
    const totals = await rollupTotals(db, subs);
    expect(totals.hourly).toEqual(expectedTotals(events));
    expect(totals.daily).toEqual(expectedTotals(events));
  });
});
