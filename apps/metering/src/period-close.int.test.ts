import { randomBytes, randomUUID } from 'node:crypto';
import { addAnniversaryMonths, hourStart } from '@portcullis/core/periods';
import { createDb, type Db } from '@portcullis/db';
import {
  encodeUsageEvent,
  partitionOf,
  type StreamUsageEvent,
  USAGE_ENTRY_FIELD,
  usageStreamKey,
  usageStreamKeys,
} from '@portcullis/usage/stream';
import { DEFAULT_IN_FLIGHT_BOUND_MS } from '@portcullis/usage/watermark';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UsageConsumer } from './consumer.ts';
import { readMeteringEnv } from './env.ts';
import { countRecorded, databaseUrl, eventually, seedSubscriptions, silentLogger } from './test-helpers.ts';
import { createWorkerRedis, type RunningWorker, startMeteringWorker, waitReady } from './worker.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MIN = 60_000;

describe('period close with the metering worker', () => {
  let db: Db;
  let producer: Redis;
  let worker: RunningWorker | undefined;
  let keyPrefix = '';

  beforeAll(() => {
    db = createDb(databaseUrl(), 3);
    producer = new Redis(REDIS_URL, { maxRetriesPerRequest: 0 });
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await producer.del(...usageStreamKeys(keyPrefix));
    await db.usageWatermark.deleteMany({ where: { source: { in: usageStreamKeys(keyPrefix) } } });
  });
  afterAll(async () => {
    await producer.quit();
    await db.$disconnect();
  });

  /**
   * A per-request subscription whose period ended 15 minutes ago (past the 10 minute settle time), and
   * 1,111 of its requests still in the stream: the worker was down while the gateways went on XADDing.
   * Each entry is written as its request ended (the entry id is its XADD time), all inside the hours the
   * period owns (up to hourStart(periodEnd): the partial last hour belongs to the next period).
   */
  async function periodWithBacklog(options: { workerStoppedAt?: (periodEnd: Date) => number }) {
    keyPrefix = `pc-${randomBytes(4).toString('hex')}:`;
    // Watermarks are deployment-wide: this test is a deployment of its own, and rows other test files
    // left (a worker killed with a backlog, a gateway killed) would hold this period too.
    await db.usageWatermark.deleteMany({});
    const [subscriptionId] = await seedSubscriptions(db, 1);
    if (!subscriptionId) throw new Error('no subscription');
    const periodEnd = new Date(Date.now() - 15 * MIN);
    const periodStart = addAnniversaryMonths(periodEnd, -1);
    const sub = await db.subscription.update({
      where: { id: subscriptionId },
      data: { createdAt: periodStart, currentPeriodStart: periodStart, decidedAt: periodStart },
      select: { planId: true },
    });
    await db.plan.update({
      where: { id: sub.planId },
      data: { monthlyQuota: null, pricing: { model: 'per_unit', unitPrice: '0.01', currency: 'usd' } },
    });
    const firstAt = hourStart(periodEnd).getTime() - 50 * MIN;

    const workerRedis = createWorkerRedis(readMeteringEnv({ DATABASE_URL: databaseUrl(), REDIS_URL }));
    await waitReady(workerRedis);
    const previousRun = new UsageConsumer({
      redis: workerRedis,
      db,
      logger: silentLogger(),
      consumerName: 'period-close',
      keyPrefix,
      batchSize: 100,
      blockMs: 100,
      claimIdleMs: 30_000,
      now: () => options.workerStoppedAt?.(periodEnd) ?? 0,
    });
    await previousRun.ensureGroups();
    // Where the worker left the watermarks when it stopped (if it ever ran).
    if (options.workerStoppedAt) await previousRun.recordWatermarks();
    await workerRedis.quit();

    const key = usageStreamKey(partitionOf(subscriptionId), keyPrefix);
    const events: StreamUsageEvent[] = Array.from({ length: 1_111 }, (_, i) => {
      const status = i % 10 === 9 ? 503 : 200;
      return {
        id: randomUUID(),
        subscriptionId,
        atMs: firstAt + i * 2_000,
        status,
        billable: status < 500,
        bytesIn: 10,
        bytesOut: 100,
      };
    });
    const pipeline = producer.pipeline();
    for (const event of events) {
      pipeline.xadd(key, `${event.atMs + 300}-0`, USAGE_ENTRY_FIELD, encodeUsageEvent(event));
    }
    await pipeline.exec();
    expect(events.at(-1)?.atMs).toBeLessThan(hourStart(periodEnd).getTime());
    expect(await producer.xlen(key)).toBe(1_111);
    expect(events.filter((e) => e.billable)).toHaveLength(1_000);
    return { subscriptionId, periodStart, periodEnd, key, events };
  }

  /** The worker process' composition (worker.ts), catching up 2 entries of a partition a round, billing jobs every second. */
  async function startWorker() {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const env = readMeteringEnv({
      DATABASE_URL: databaseUrl(),
      REDIS_URL,
      METERING_REDIS_KEY_PREFIX: keyPrefix,
      METERING_CONSUMER_NAME: 'period-close',
      METERING_BATCH_SIZE: '8',
      METERING_BLOCK_MS: '100',
      BILLING_INTERVAL_MS: '1000',
    });
    worker = await startMeteringWorker(env, logger, { db });
    return lines;
  }

  async function expectEveryEventBilled(
    world: Awaited<ReturnType<typeof periodWithBacklog>>,
    lines: readonly string[],
  ) {
    const { subscriptionId } = world;
    await eventually(
      async () => (await db.invoice.count({ where: { subscriptionId } })) > 0,
      60_000,
      `the period's invoice\n${lines.join('')}`,
    );
    const invoices = await db.invoice.findMany({ where: { subscriptionId }, include: { lines: true } });
    expect(invoices).toHaveLength(1);
    expect(invoices[0]).toMatchObject({
      periodStart: world.periodStart,
      periodEnd: world.periodEnd,
      pricedBillable: 1_000n,
      totalMinor: 1_000n, // 1,000 billable × 0.01
      status: 'FINALIZED',
    });
    expect(invoices[0]?.lines.map((l) => [l.kind, l.quantity, l.amountMinor])).toEqual([
      ['usage', 1_000n, 1_000n],
    ]);
    // Closed only once every event had been applied, and held back until then.
    expect(
      await countRecorded(
        db,
        world.events.map((e) => e.id),
      ),
    ).toBe(1_111);
    const held = lines.filter((line) => line.includes('billing period close held back'));
    expect(held.length).toBeGreaterThan(0);
    expect(held[0]).toContain(world.key);
    const watermark = await db.usageWatermark.findUnique({ where: { source: world.key } });
    expect(watermark?.watermark.getTime()).toBeGreaterThanOrEqual(world.periodEnd.getTime());
    expect(watermark?.watermark.getTime()).toBeLessThanOrEqual(Date.now() - DEFAULT_IN_FLIGHT_BOUND_MS);
  }

  it('a worker restarted on a backlog of an ended period bills every event of it, not an invoice at 0', async () => {
    // It stopped well before the period ended; the period's usage piled up in the stream since.
    const world = await periodWithBacklog({ workerStoppedAt: (end) => hourStart(end).getTime() - 55 * MIN });
    await expectEveryEventBilled(world, await startWorker());
  });

  it('the worker process records watermarks with its configured in-flight bound', async () => {
    keyPrefix = `pc-${randomBytes(4).toString('hex')}:`;
    const env = readMeteringEnv({
      DATABASE_URL: databaseUrl(),
      REDIS_URL,
      METERING_REDIS_KEY_PREFIX: keyPrefix,
      METERING_BLOCK_MS: '100',
      METERING_IN_FLIGHT_BOUND_MS: '120000',
      BILLING_INTERVAL_MS: '60000',
    });
    const before = Date.now();
    worker = await startMeteringWorker(env, silentLogger(), { db });
    const [key] = usageStreamKeys(keyPrefix);
    await eventually(
      async () => (await db.usageWatermark.count({ where: { source: key } })) > 0,
      10_000,
      'a watermark',
    );
    const row = await db.usageWatermark.findUniqueOrThrow({ where: { source: key } });
    // an empty partition: everything up to (now − the bound) has been applied
    expect(row.watermark.getTime()).toBeGreaterThanOrEqual(before - 120_000);
    expect(row.watermark.getTime()).toBeLessThanOrEqual(Date.now() - 120_000);
  });

  it('a worker starting for the first time on such a backlog does the same', async () => {
    const world = await periodWithBacklog({});
    expect(await db.usageWatermark.count({ where: { source: { in: usageStreamKeys(keyPrefix) } } })).toBe(0);
    await expectEveryEventBilled(world, await startWorker());
  });
});
