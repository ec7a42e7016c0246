import { closeDuePeriods } from '@portcullis/billing/invoicing';
import { createDb } from '@portcullis/db';
import { createPgPool, type SqlWriter, sqlWriter } from '@portcullis/db/pg';
import { afterAll, describe, expect, it } from 'vitest';
import { seedConsumerWithKey, seedProviderWithApi } from '../../../../test/fixtures.ts';
import { readGatewayEnv } from '../env.ts';
import { UsageMeter } from './meter.ts';

const MIN = 60_000;

/** Postgres as one gateway sees it: reachable, or not (a network partition, an outage). */
function switchable(real: SqlWriter) {
  const state = { down: false };
  const refuse = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
  const writer: SqlWriter = {
    ...real,
    execute: (text, values) => (state.down ? refuse() : real.execute(text, values)),
    transaction: (fn) => (state.down ? refuse() : real.transaction(fn)),
  };
  return { writer, state };
}

describe('embedded metering and period close', () => {
  const databaseUrl = readGatewayEnv().DATABASE_URL;
  const db = createDb(databaseUrl, 2);
  const real = sqlWriter(createPgPool(databaseUrl, 2));
  afterAll(async () => {
    await real.close();
    await db.$disconnect();
  });

  it('a period does not close while a running gateway still holds some of its usage in memory', async () => {
    const provider = await seedProviderWithApi(db, { upstreamUrl: 'http://127.0.0.1:9', monthlyQuota: null });
    await db.plan.update({
      where: { id: provider.plan.id },
      data: { pricing: { model: 'per_unit', unitPrice: '0.5', currency: 'usd' } },
    });
    const { subscription } = await seedConsumerWithKey(db, provider.plan.id);
    const start = new Date('2025-06-01T10:00:00Z');
    const end = new Date('2025-07-01T10:00:00Z');
    await db.subscription.update({
      where: { id: subscription.id },
      data: { createdAt: start, currentPeriodStart: start, decidedAt: start },
    });
    let clock = end.getTime() - 30 * MIN;
    const postgres = switchable(real);
    const errors: unknown[] = [];
    const meter = new UsageMeter(postgres.writer, {
      flushIntervalMs: 60_000,
      now: () => clock,
      onFlushError: (error) => errors.push(error),
    });
    const request = (atMs: number) =>
      meter.recordUsage({ subscriptionId: subscription.id, atMs, status: 200, bytesIn: 1, bytesOut: 1 });

    request(end.getTime() - 40 * MIN);
    await meter.flush();
    // Then this gateway loses Postgres and goes on serving: five more requests of the period, in memory.
    postgres.state.down = true;
    for (let i = 5; i >= 1; i--) request(end.getTime() - i * 3 * MIN);
    clock = end.getTime() + 15 * MIN;
    await meter.flush();
    expect(meter.pendingBatches).toBe(1);
    expect(errors.length).toBeGreaterThan(0);

    const held = await closeDuePeriods(db, { now: new Date(clock) });
    expect(held.invoicesCreated).toBe(0);
    expect(held.held.waitingFor).toEqual([
      expect.objectContaining({
        kind: 'gateway',
        state: 'stale',
        watermark: new Date(end.getTime() - 40 * MIN),
      }),
    ]);
    const source = held.held.waitingFor[0]?.source ?? '';

    // Postgres is back: the held batch is written, the watermark passes the period's end, it closes whole.
    postgres.state.down = false;
    clock += MIN;
    await meter.flush();
    expect(meter.pendingBatches).toBe(0);
    const closed = await closeDuePeriods(db, { now: new Date(clock) });
    expect(closed).toMatchObject({ invoicesCreated: 1, held: { periods: 0 } });
    const invoice = await db.invoice.findFirst({ where: { subscriptionId: subscription.id } });
    expect(invoice).toMatchObject({ pricedBillable: 6n, totalMinor: 300n });

    // A gateway that shuts down holds nothing any more.
    await meter.close();
    expect(await db.usageWatermark.findUnique({ where: { source } })).toBeNull();
  });
});
