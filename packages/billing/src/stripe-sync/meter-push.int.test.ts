import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyMeterSummary, queueMeterPushes } from './meter-push.ts';
import type { SyncStripeOptions } from './sync.ts';
import {
  addUsage,
  billableTotal,
  type FakeStripe,
  HOUR,
  linkedConsumer,
  startFakeStripe,
  syncOrg,
  testDb,
} from './test/world.ts';

const db = testDb();
let fake: FakeStripe;
beforeAll(async () => {
  fake = await startFakeStripe();
});
afterAll(() => fake.close());

const sync = (orgId: string, now = new Date(), extra: Partial<SyncStripeOptions> = {}) =>
  syncOrg(fake, orgId, now, extra);
const linkedWorld = () => linkedConsumer(fake);

describe('syncStripe: usage to Billing Meters', () => {
  it('sends each subscription-hour as one aggregated event; Stripe sums exactly SUM(billable), then only deltas', async () => {
    const world = await linkedWorld();
    const sub = world.consumer.subscription.id;
    const now = new Date();
    await addUsage(sub, new Date(now.getTime() - 3 * HOUR), 700, 2);
    await addUsage(sub, new Date(now.getTime() - 3 * HOUR), 5, 4);
    await addUsage(sub, new Date(now.getTime() - 2 * HOUR), 1234);
    await addUsage(sub, now, 42);
    const posts = fake.state.requestsTo('POST', '/v1/billing/meter_events').length;
    const first = await sync(world.org.id, now);
    expect(first.meter).toMatchObject({ pushesCreated: 3, unitsQueued: 1981n, sent: 3, failed: 0 });
    expect(fake.state.requestsTo('POST', '/v1/billing/meter_events').length - posts).toBe(3);
    expect(world.stripeTotal()).toBe(await billableTotal(sub));
    expect(world.stripeTotal()).toBe(1981n);

    // More usage in one old and one new bucket: only the increase goes out, as two new events.
    await addUsage(sub, new Date(now.getTime() - 2 * HOUR), 66);
    await addUsage(sub, now, 8);
    const second = await sync(world.org.id, now);
    expect(second.meter).toMatchObject({ pushesCreated: 2, unitsQueued: 74n, sent: 2 });
    const sentValues = fake.state.meterEvents
      .filter((e) => e.customerId === world.customerId)
      .map((e) => e.value);
    expect(sentValues.sort()).toEqual(['1234', '42', '66', '705', '8'].sort());
    expect(world.stripeTotal()).toBe(await billableTotal(sub));

    const third = await sync(world.org.id, now);
    expect(third.meter).toMatchObject({ pushesCreated: 0, sent: 0, duplicates: 0 });
    const pushes = await db.stripeMeterPush.findMany({ where: { subscriptionId: sub } });
    expect(pushes.every((p) => p.sentAt !== null && p.lastError === null)).toBe(true);
    // Stamped inside their hour and never in the future.
    const stamps = fake.state.meterEvents.filter((e) => e.customerId === world.customerId);
    for (const stamp of stamps) expect(stamp.timestamp * 1000).toBeLessThanOrEqual(now.getTime());
  });

  it('leaves usage from before the account was connected to local invoices', async () => {
    const world = await linkedWorld();
    const sub = world.consumer.subscription.id;
    const now = new Date();
    await db.stripeAccount.update({
      where: { orgId: world.org.id },
      data: { connectedAt: new Date(now.getTime() - HOUR) },
    });
    await addUsage(sub, new Date(now.getTime() - 5 * HOUR), 500);
    await addUsage(sub, new Date(now.getTime() - HOUR), 30);
    await addUsage(sub, now, 3);
    await sync(world.org.id, now);
    expect(world.stripeTotal()).toBe(33n);
  });

  it('a crash after the push is recorded and before it is sent: the next run sends it, once', async () => {
    const world = await linkedWorld();
    const sub = world.consumer.subscription.id;
    const now = new Date();
    await addUsage(sub, new Date(now.getTime() - HOUR), 250);
    const account = await db.stripeAccount.findUniqueOrThrow({ where: { orgId: world.org.id } });
    const summary = emptyMeterSummary();
    await queueMeterPushes(
      db,
      { providerOrgId: world.org.id, connectedAt: account.connectedAt, now },
      summary,
    );
    expect(summary.pushesCreated).toBe(1);
    expect(world.stripeTotal()).toBe(0n);

    await addUsage(sub, new Date(now.getTime() - HOUR), 10);
    const rerun = await sync(world.org.id, now);
    expect(rerun.meter).toMatchObject({ pushesCreated: 1, sent: 2 });
    expect(world.stripeTotal()).toBe(260n);
  });

  it('responses lost after Stripe stored the event (every retry too): the next run gets duplicates, still exact', async () => {
    const world = await linkedWorld();
    const sub = world.consumer.subscription.id;
    const now = new Date();
    await addUsage(sub, new Date(now.getTime() - 2 * HOUR), 900);
    await addUsage(sub, new Date(now.getTime() - HOUR), 100);
    fake.state.injectFailures({
      method: 'POST',
      path: '/v1/billing/meter_events',
      count: 6,
      kind: 'reset_after_commit',
    });
    const lost = await sync(world.org.id, now);
    expect(lost.meter).toMatchObject({ pushesCreated: 2, sent: 0, failed: 2 });
    expect(world.stripeTotal()).toBe(1000n);
    const failed = await db.stripeMeterPush.findMany({ where: { subscriptionId: sub } });
    expect(failed.every((p) => p.sentAt === null && p.lastError?.startsWith('retryable:'))).toBe(true);

    const rerun = await sync(world.org.id, now);
    expect(rerun.meter).toMatchObject({ pushesCreated: 0, sent: 0, duplicates: 2, failed: 0 });
    expect(world.stripeTotal()).toBe(1000n);
    expect(await db.stripeMeterPush.count({ where: { subscriptionId: sub, sentAt: null } })).toBe(0);
  });

  it('a crash after sending and before recording it: resends are deduplicated by the identifier', async () => {
    const world = await linkedWorld();
    const sub = world.consumer.subscription.id;
    const now = new Date();
    await addUsage(sub, new Date(now.getTime() - HOUR), 77);
    await sync(world.org.id, now);
    // What a crash between Stripe's answer and the sentAt update leaves behind.
    await db.stripeMeterPush.updateMany({
      where: { subscriptionId: sub },
      data: { sentAt: null, lastError: `attempt: ${now.toISOString()}` },
    });
    const rerun = await sync(world.org.id, new Date(now.getTime() + 60_000));
    expect(rerun.meter).toMatchObject({ sent: 0, duplicates: 1 });
    expect(world.stripeTotal()).toBe(77n);
  });

  it('a dropped connection before Stripe saw it: retried and counted once', async () => {
    const world = await linkedWorld();
    const sub = world.consumer.subscription.id;
    const now = new Date();
    await addUsage(sub, new Date(now.getTime() - HOUR), 31);
    fake.state.injectFailures({
      method: 'POST',
      path: '/v1/billing/meter_events',
      count: 3,
      kind: 'connection_reset',
    });
    const first = await sync(world.org.id, now);
    expect(first.meter).toMatchObject({ failed: 1 });
    expect(world.stripeTotal()).toBe(0n);
    const rerun = await sync(world.org.id, now);
    expect(rerun.meter).toMatchObject({ sent: 1 });
    expect(world.stripeTotal()).toBe(31n);
  });

  it('attempted pushes older than 20 h are reported, not resent; never-attempted ones are sent', async () => {
    const world = await linkedWorld();
    const sub = world.consumer.subscription.id;
    const now = new Date();
    await addUsage(sub, new Date(now.getTime() - 30 * HOUR), 5);
    await addUsage(sub, new Date(now.getTime() - 26 * HOUR), 7);
    const account = await db.stripeAccount.findUniqueOrThrow({ where: { orgId: world.org.id } });
    await db.stripeAccount.update({
      where: { orgId: world.org.id },
      data: { connectedAt: new Date(account.connectedAt.getTime() - 24 * HOUR) },
    });
    const queued = emptyMeterSummary();
    const longAgo = new Date(now.getTime() - 21 * HOUR);
    await queueMeterPushes(
      db,
      { providerOrgId: world.org.id, connectedAt: new Date(0), now: longAgo },
      queued,
    );
    expect(queued.pushesCreated).toBe(2);
    const [attempted] = await db.stripeMeterPush.findMany({
      where: { subscriptionId: sub },
      orderBy: { bucketStart: 'asc' },
    });
    await db.stripeMeterPush.update({
      where: { id: attempted!.id },
      data: { lastError: 'retryable: HTTP 500' },
    });

    const summary = await sync(world.org.id, now);
    expect(summary.meter.stale).toEqual([
      expect.objectContaining({
        id: attempted!.id,
        subscriptionId: sub,
        value: 5n,
        lastError: 'retryable: HTTP 500',
      }),
    ]);
    expect(summary.meter.sent).toBe(1);
    expect(world.stripeTotal()).toBe(7n);
    expect(fake.state.meterEvents.some((e) => e.identifier === attempted!.id)).toBe(false);
  });

  it('late usage for an hour already sent goes out once, stamped when sent so Stripe still bills it', async () => {
    const world = await linkedWorld();
    const sub = world.consumer.subscription.id;
    const now = new Date();
    const bucket = new Date(Math.floor(now.getTime() / HOUR) * HOUR - 5 * HOUR);
    const bucketEnd = bucket.getTime() + HOUR - 1000;
    await addUsage(sub, bucket, 100);
    // Synced ten minutes after the hour ended: stamped inside its hour.
    await sync(world.org.id, new Date(bucket.getTime() + HOUR + 10 * 60_000));
    // Hours later 11 more requests of that hour arrive (held by a gateway through an outage). Stripe may
    // have invoiced the period that hour belongs to already: an event stamped there would never be billed.
    await addUsage(sub, bucket, 11);
    const late = await sync(world.org.id, now);
    expect(late.meter).toMatchObject({ pushesCreated: 1, unitsQueued: 11n, sent: 1 });
    expect(await sync(world.org.id, new Date(now.getTime() + 60_000))).toMatchObject({
      meter: { pushesCreated: 0, sent: 0, duplicates: 0 },
    });
    const sent = fake.state.meterEvents.filter((e) => e.customerId === world.customerId);
    expect(sent.map((e) => [e.value, e.timestamp])).toEqual([
      ['100', Math.floor(bucketEnd / 1000)],
      ['11', Math.floor(now.getTime() / 1000)],
    ]);
    expect(world.stripeTotal()).toBe(111n);
    expect(world.stripeTotal()).toBe(await billableTotal(sub));
  });

  it('usage Stripe refuses for good (stamped in the future) is marked permanent and never retried', async () => {
    const world = await linkedWorld();
    const sub = world.consumer.subscription.id;
    const now = new Date();
    // A gateway whose clock ran two hours ahead; the push was first attempted ten minutes "from now".
    const ahead = new Date(now.getTime() + 10 * 60_000);
    await db.stripeMeterPush.create({
      data: {
        id: 'future_push_for_permanent_test',
        subscriptionId: sub,
        bucketStart: new Date(now.getTime() + 2 * HOUR),
        value: 3n,
        cumulative: 3n,
        createdAt: ahead,
        lastError: `attempt: ${ahead.toISOString()}`,
      },
    });
    const first = await sync(world.org.id, now);
    expect(first.meter).toMatchObject({ failed: 1, sent: 0 });
    const row = await db.stripeMeterPush.findUniqueOrThrow({
      where: { id: 'future_push_for_permanent_test' },
    });
    expect(row.lastError).toMatch(/^permanent: .*in the future/);
    const posts = fake.state.requestsTo('POST', '/v1/billing/meter_events').length;
    const second = await sync(world.org.id, now);
    expect(second.meter).toMatchObject({ failed: 0, permanentlyFailed: 1 });
    expect(fake.state.requestsTo('POST', '/v1/billing/meter_events').length).toBe(posts);
  });

  it('concurrent runs with usage arriving in between still make Stripe total exactly SUM(billable)', async () => {
    const world = await linkedWorld();
    const sub = world.consumer.subscription.id;
    const now = new Date();
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++)
        await addUsage(sub, new Date(now.getTime() - (i % 3) * HOUR), 1 + (i % 7));
    })();
    const summaries: Array<Awaited<ReturnType<typeof sync>>> = [];
    const loop = async () => {
      for (let round = 0; round < 8; round++) summaries.push(await sync(world.org.id, now));
    };
    fake.state.injectFailures({
      method: 'POST',
      path: '/v1/billing/meter_events',
      count: 3,
      kind: 'reset_after_commit',
    });
    await Promise.all([loop(), loop(), loop()]);
    writing = false;
    await writer;
    await sync(world.org.id, now);
    // Serialised per subscription: no run ever collided with another on the ledger.
    expect(summaries.flatMap((s) => s.errors)).toEqual([]);
    expect(world.stripeTotal()).toBe(await billableTotal(sub));
    const pushed = await db.stripeMeterPush.aggregate({
      where: { subscriptionId: sub },
      _sum: { value: true },
    });
    expect(pushed._sum.value).toBe(await billableTotal(sub));
  });
});
