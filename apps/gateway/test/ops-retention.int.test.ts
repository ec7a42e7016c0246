import { randomUUID } from 'node:crypto';
import { PLATFORM_SETTINGS } from '@portcullis/core/policies';
import { createDb, type Db } from '@portcullis/db';
import { dayPartitionName, ensureDayPartitions } from '@portcullis/db/partitions';
import { createPgPool, type SqlWriter, sqlWriter } from '@portcullis/db/pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGatewayEnv } from '../src/env.ts';
import { RETENTION_LOCK_ID, RequestLogRetention, type RetentionResult } from '../src/usage/retention.ts';
import { eventually } from './harness.ts';

const DAY = 86_400_000;
const settingKey = PLATFORM_SETTINGS.requestLogRetentionDays.key;

describe('RequestLog retention', () => {
  let db: Db;
  let other: Db;
  // Every row of this file carries its own apiId, so counts ignore rows written by other tests.
  const marker = `ops-retention-${randomUUID()}`;

  const seedLogs = async (ageDays: number, count: number) => {
    await db.requestLog.createMany({
      data: Array.from({ length: count }, () => ({
        id: randomUUID(),
        at: new Date(Date.now() - ageDays * DAY),
        apiId: marker,
        method: 'GET',
        path: '/x',
        status: 200,
        latencyMs: 1,
      })),
    });
  };
  const countOlderThan = (days: number) =>
    db.requestLog.count({ where: { apiId: marker, at: { lt: new Date(Date.now() - days * DAY) } } });
  const countAll = () => db.requestLog.count({ where: { apiId: marker } });

  let sql: SqlWriter;

  beforeAll(() => {
    db = createDb(readGatewayEnv().DATABASE_URL, 3);
    other = createDb(readGatewayEnv().DATABASE_URL, 2);
    sql = sqlWriter(createPgPool(readGatewayEnv().DATABASE_URL, 2));
  });
  afterAll(async () => {
    await db.requestLog.deleteMany({ where: { apiId: marker } });
    await db.platformSetting.deleteMany({ where: { key: settingKey } });
    await sql.close();
    await db.$disconnect();
    await other.$disconnect();
  });

  it('deletes rows older than the default window in batches, keeping newer ones', async () => {
    await db.platformSetting.deleteMany({ where: { key: settingKey } });
    await seedLogs(45, 7);
    await seedLogs(29, 2);
    const retention = new RequestLogRetention(sql, { defaultDays: 30, intervalMs: 3_600_000, batchSize: 3 });
    const result = await retention.runOnce();
    expect(result).toMatchObject({ ran: true, retentionDays: 30 });
    expect(result.ran && result.deleted).toBeGreaterThanOrEqual(7);
    expect(result.ran && result.batches).toBeGreaterThanOrEqual(3);
    expect(await countOlderThan(30)).toBe(0);
    expect(await countAll()).toBe(2);
  });

  it('drops whole days past the window and keeps the days inside it', async () => {
    await db.platformSetting.deleteMany({ where: { key: settingKey } });
    const today = Math.floor(Date.now() / DAY) * DAY;
    const oldDay = today - 40 * DAY;
    const keptDay = today - 20 * DAY;
    for (const day of [oldDay, keptDay]) {
      await ensureDayPartitions(sql, { tables: ['RequestLog', 'AiCallLog'], daysAhead: 0, now: () => day });
    }
    const rows = (day: number) =>
      Array.from({ length: 3 }, (_, n) => ({
        id: randomUUID(),
        at: new Date(day + n * 3_600_000),
        apiId: marker,
        method: 'GET',
        path: '/x',
        status: 200,
        latencyMs: 1,
      }));
    await db.requestLog.createMany({ data: [...rows(oldDay), ...rows(keptDay)] });
    const retention = new RequestLogRetention(sql, { defaultDays: 30, intervalMs: 3_600_000 });
    const result = await retention.runOnce();
    expect(result.ran && result.dropped).toEqual(
      expect.arrayContaining([dayPartitionName('RequestLog', oldDay), dayPartitionName('AiCallLog', oldDay)]),
    );
    const partitions = await db.$queryRaw<{ name: string }[]>`
      SELECT c.relname::text AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = '"RequestLog"'::regclass`;
    const names = partitions.map((p) => p.name);
    expect(names).not.toContain(dayPartitionName('RequestLog', oldDay));
    expect(names).toContain(dayPartitionName('RequestLog', keptDay));
    const countDay = (day: number) =>
      db.requestLog.count({ where: { apiId: marker, at: { gte: new Date(day), lt: new Date(day + DAY) } } });
    expect(await countDay(oldDay)).toBe(0);
    expect(await countDay(keptDay)).toBe(3);
    await db.requestLog.deleteMany({ where: { apiId: marker } });
  });

  it('applies the same window to the AI call log', async () => {
    await db.platformSetting.deleteMany({ where: { key: settingKey } });
    const aiRow = (ageDays: number) => ({
      id: randomUUID(),
      at: new Date(Date.now() - ageDays * DAY),
      orgId: marker,
      apiId: marker,
      requestId: randomUUID(),
      surface: 'chat',
      model: 'fast',
      status: 200,
      latencyMs: 5,
      requestBody: '{"messages":[]}',
    });
    await db.aiCallLog.createMany({ data: [aiRow(40), aiRow(40), aiRow(10)] });
    const retention = new RequestLogRetention(sql, { defaultDays: 30, intervalMs: 3_600_000 });
    expect(await retention.runOnce()).toMatchObject({ ran: true, retentionDays: 30 });
    const left = await db.aiCallLog.findMany({ where: { apiId: marker } });
    expect(left).toHaveLength(1);
    expect(left[0]?.at.getTime()).toBeGreaterThan(Date.now() - 30 * DAY);
    await db.aiCallLog.deleteMany({ where: { apiId: marker } });
  });

  it("uses the PlatformSetting 'requestLog.retentionDays' when present", async () => {
    await db.platformSetting.upsert({
      where: { key: settingKey },
      create: { key: settingKey, value: 7 },
      update: { value: 7 },
    });
    await seedLogs(8, 4);
    await seedLogs(6, 1);
    const retention = new RequestLogRetention(sql, { defaultDays: 30, intervalMs: 3_600_000 });
    expect(await retention.retentionDays()).toBe(7);
    expect(await retention.runOnce()).toMatchObject({ ran: true, retentionDays: 7 });
    expect(await countOlderThan(7)).toBe(0);
    // Only the 6-day-old row is left (the 29-day-old ones of the previous case went too).
    expect(await countAll()).toBe(1);
    await db.platformSetting.delete({ where: { key: settingKey } });
  });

  it('skips the run while another instance holds the lock', async () => {
    await seedLogs(60, 3);
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked: () => void = () => undefined;
    const lockTaken = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holder = other.$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${RETENTION_LOCK_ID}::bigint)`;
        locked();
        await released;
      },
      { timeout: 30_000 },
    );
    await Promise.race([lockTaken, holder]);
    const retention = new RequestLogRetention(sql, { defaultDays: 30, intervalMs: 3_600_000 });
    try {
      expect(await retention.runOnce()).toEqual({ ran: false, reason: 'locked' });
      expect(await countOlderThan(30)).toBe(3);
    } finally {
      release();
      await holder;
    }
    expect(await retention.runOnce()).toMatchObject({ ran: true });
    expect(await countOlderThan(30)).toBe(0);
  });

  it('runs periodically once started', async () => {
    const results: RetentionResult[] = [];
    const retention = new RequestLogRetention(sql, {
      defaultDays: 30,
      intervalMs: 100,
      onResult: (r) => results.push(r),
    });
    retention.start();
    try {
      await eventually(async () => results.length >= 2, 5_000);
    } finally {
      await retention.stop();
    }
    expect(results.every((r) => r.ran)).toBe(true);
  });
});
