import { getDb } from '@portcullis/db';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedOrg, seedUser, uniq } from '../../../test/fixtures.ts';
import { checkUsageAlerts } from './usage-alert-check.ts';
import { createUsageAlert, deleteUsageAlert, listUsageAlerts } from './verbs/usage-alerts.ts';

const db = getDb();
const at = (iso: string) => new Date(iso);

/** A provider with an API and a plan of 1,000 requests per period; a consumer whose app subscribes to it. */
async function seedWorld() {
  const providerOwner = await seedUser(db, 'prov');
  const provider = await seedOrg(db, providerOwner.id, 'OWNER', 'prov');
  const consumerOwner = await seedUser(db, 'cons');
  const consumer = await seedOrg(db, consumerOwner.id, 'OWNER', 'cons');
  const viewer = await seedUser(db, 'viewer');
  await db.membership.create({ data: { orgId: consumer.id, userId: viewer.id, role: 'VIEWER' } });
  const api = await db.api.create({
    data: { orgId: provider.id, name: 'Weather', slug: uniq('weather'), upstreamUrl: 'http://127.0.0.1:9/' },
  });
  const plan = await db.plan.create({ data: { apiId: api.id, name: 'Pro', monthlyQuota: 1000 } });
  const app = await db.app.create({ data: { orgId: consumer.id, name: uniq('app') } });
  const subscription = await db.subscription.create({
    data: {
      appId: app.id,
      planId: plan.id,
      status: 'ACTIVE',
      currentPeriodStart: at('2026-11-05T00:00:00Z'),
    },
  });
  return { providerOwner, provider, consumerOwner, consumer, viewer, api, plan, subscription };
}

type World = Awaited<ReturnType<typeof seedWorld>>;

async function addUsage(w: World, hour: string, requests: number) {
  await db.usageRollup.create({
    data: {
      subscriptionId: w.subscription.id,
      bucketStart: at(hour),
      statusClass: 2,
      requests: BigInt(requests),
    },
  });
  await db.usagePairRollup.upsert({
    where: {
      providerOrgId_bucketStart_apiId_consumerOrgId: {
        providerOrgId: w.provider.id,
        bucketStart: at(hour),
        apiId: w.api.id,
        consumerOrgId: w.consumer.id,
      },
    },
    create: {
      providerOrgId: w.provider.id,
      bucketStart: at(hour),
      apiId: w.api.id,
      consumerOrgId: w.consumer.id,
      requests: BigInt(requests),
    },
    update: { requests: { increment: BigInt(requests) } },
  });
}

const notificationsFor = (userId: string) =>
  db.notification.findMany({ where: { userId, kind: 'usage_alert.crossed' }, orderBy: { createdAt: 'asc' } });
const mailsTo = (email: string) => db.mail.findMany({ where: { to: email.toLowerCase() } });
const ctxOf = (userId: string, orgId: string) => ({ db, actor: { id: userId }, org: { id: orgId } });

describe('usage alert check', () => {
  let w: World;
  beforeAll(async () => {
    w = await seedWorld();
  });

  it('announces a crossed quota threshold once per billing period, again in the next one', async () => {
    const alert = await createUsageAlert(ctxOf(w.consumerOwner.id, w.consumer.id), {
      kind: 'SUBSCRIPTION_QUOTA',
      subscriptionId: w.subscription.id,
      thresholds: [100, 80],
    });
    await addUsage(w, '2026-11-10T10:00:00Z', 700);
    const now = at('2026-11-20T12:00:00Z');
    await checkUsageAlerts(db, { now });
    expect(await notificationsFor(w.consumerOwner.id)).toHaveLength(0);

    await addUsage(w, '2026-11-11T10:00:00Z', 150); // 850 of 1,000: past 80 %
    const first = await checkUsageAlerts(db, { now });
    expect(first.fired.filter((f) => f.alertId === alert.id).map((f) => f.threshold)).toEqual([80]);
    const notes = await notificationsFor(w.consumerOwner.id);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.title).toContain('80% of the monthly quota used');
    expect(notes[0]!.link).toBe(`/o/${w.consumer.slug}/alerts`);
    expect(await mailsTo(w.consumerOwner.email)).toHaveLength(1);
    // A viewer neither set the alert nor manages billing: not notified.
    expect(await notificationsFor(w.viewer.id)).toHaveLength(0);

    // Checked again, nothing new to say.
    const again = await checkUsageAlerts(db, { now: at('2026-11-21T12:00:00Z') });
    expect(again.fired.filter((f) => f.alertId === alert.id)).toEqual([]);
    expect(await notificationsFor(w.consumerOwner.id)).toHaveLength(1);
    expect(await mailsTo(w.consumerOwner.email)).toHaveLength(1);

    // The next billing period (from 2026-12-05) starts at zero; crossing there is announced again.
    await addUsage(w, '2026-12-06T10:00:00Z', 900);
    const next = await checkUsageAlerts(db, { now: at('2026-12-07T00:00:00Z') });
    expect(next.fired.filter((f) => f.alertId === alert.id)).toEqual([
      { alertId: alert.id, periodStart: at('2026-12-05T00:00:00Z'), threshold: 80 },
    ]);
    expect(await notificationsFor(w.consumerOwner.id)).toHaveLength(2);
    expect(await mailsTo(w.consumerOwner.email)).toHaveLength(2);
    expect(await db.usageAlertFiring.count({ where: { alertId: alert.id } })).toBe(2);
    await deleteUsageAlert(ctxOf(w.consumerOwner.id, w.consumer.id), { alertId: alert.id });
  });

  it('sends once when several checks run at the same time', async () => {
    const world = await seedWorld();
    const alert = await createUsageAlert(ctxOf(world.consumerOwner.id, world.consumer.id), {
      kind: 'SUBSCRIPTION_QUOTA',
      subscriptionId: world.subscription.id,
      thresholds: [50],
    });
    await addUsage(world, '2026-11-10T10:00:00Z', 600);
    const now = at('2026-11-20T12:00:00Z');
    const runs = await Promise.all(Array.from({ length: 4 }, () => checkUsageAlerts(db, { now })));
    const fired = runs.flatMap((r) => r.fired.filter((f) => f.alertId === alert.id));
    expect(fired).toHaveLength(1);
    expect(await notificationsFor(world.consumerOwner.id)).toHaveLength(1);
    expect(await mailsTo(world.consumerOwner.email)).toHaveLength(1);
  });

  it('announces only the highest threshold when usage jumps past several at once', async () => {
    const world = await seedWorld();
    const alert = await createUsageAlert(ctxOf(world.consumerOwner.id, world.consumer.id), {
      kind: 'SUBSCRIPTION_QUOTA',
      subscriptionId: world.subscription.id,
      thresholds: [80, 100],
    });
    await addUsage(world, '2026-11-10T10:00:00Z', 1200);
    const result = await checkUsageAlerts(db, { now: at('2026-11-20T12:00:00Z') });
    expect(result.fired.filter((f) => f.alertId === alert.id).map((f) => f.threshold)).toEqual([80, 100]);
    const notes = await notificationsFor(world.consumerOwner.id);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.title).toContain('100% of the monthly quota used');
  });

  it('announces a provider API past a share of its monthly request target', async () => {
    const world = await seedWorld();
    const alert = await createUsageAlert(ctxOf(world.providerOwner.id, world.provider.id), {
      kind: 'API_REQUESTS',
      apiId: world.api.id,
      target: 2000,
      thresholds: [50],
    });
    await addUsage(world, '2026-10-31T23:00:00Z', 5000); // last month: does not count
    await addUsage(world, '2026-11-02T10:00:00Z', 1000);
    const result = await checkUsageAlerts(db, { now: at('2026-11-20T12:00:00Z') });
    expect(result.fired.filter((f) => f.alertId === alert.id)).toEqual([
      { alertId: alert.id, periodStart: at('2026-11-01T00:00:00Z'), threshold: 50 },
    ]);
    const notes = await notificationsFor(world.providerOwner.id);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.title).toBe('Weather: 50% of 2,000 monthly requests reached');
    const listed = await listUsageAlerts(
      ctxOf(world.providerOwner.id, world.provider.id),
      at('2026-11-20T12:00:00Z'),
    );
    expect(listed).toMatchObject([{ id: alert.id, used: 1000n, limit: 2000n, percent: 50 }]);
  });
});

describe('usage alert verbs', () => {
  let w: World;
  beforeAll(async () => {
    w = await seedWorld();
  });

  it('refuses another org’s subscription or API as not found', async () => {
    const stranger = await seedUser(db, 'stranger');
    const strangerOrg = await seedOrg(db, stranger.id);
    const ctx = ctxOf(stranger.id, strangerOrg.id);
    await expect(
      createUsageAlert(ctx, {
        kind: 'SUBSCRIPTION_QUOTA',
        subscriptionId: w.subscription.id,
        thresholds: [80],
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      createUsageAlert(ctx, { kind: 'API_REQUESTS', apiId: w.api.id, target: 10, thresholds: [80] }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const mine = await createUsageAlert(ctxOf(w.consumerOwner.id, w.consumer.id), {
      kind: 'SUBSCRIPTION_QUOTA',
      subscriptionId: w.subscription.id,
      thresholds: [80],
    });
    await expect(deleteUsageAlert(ctx, { alertId: mine.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await listUsageAlerts(ctx)).toEqual([]);
  });

  it('refuses a plan without quota and bad thresholds with clear messages', async () => {
    const unlimited = await db.plan.create({
      data: { apiId: w.api.id, name: 'Unlimited', monthlyQuota: null },
    });
    const app = await db.app.create({ data: { orgId: w.consumer.id, name: uniq('app') } });
    const sub = await db.subscription.create({
      data: { appId: app.id, planId: unlimited.id, status: 'ACTIVE' },
    });
    const ctx = ctxOf(w.consumerOwner.id, w.consumer.id);
    await expect(
      createUsageAlert(ctx, { kind: 'SUBSCRIPTION_QUOTA', subscriptionId: sub.id, thresholds: [80] }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('no monthly quota') });
    await expect(
      createUsageAlert(ctx, {
        kind: 'SUBSCRIPTION_QUOTA',
        subscriptionId: w.subscription.id,
        thresholds: [80, 80],
      }),
    ).rejects.toThrow('Each threshold only once');
    await expect(
      createUsageAlert(ctx, {
        kind: 'SUBSCRIPTION_QUOTA',
        subscriptionId: w.subscription.id,
        thresholds: [0],
      }),
    ).rejects.toThrow('At least 1%');
  });
});
