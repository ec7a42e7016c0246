import { getDb } from '@portcullis/db';
import { describe, expect, it } from 'vitest';
import { seedOrg, seedUser, uniq } from '../../../test/fixtures.ts';
import { checkUsageAlerts } from './usage-alert-check.ts';
import { createUsageAlert, listUsageAlerts, usageAlertOptions } from './verbs/usage-alerts.ts';

const db = getDb();
const at = (iso: string) => new Date(iso);
const ctxOf = (userId: string, orgId: string) => ({ db, actor: { id: userId }, org: { id: orgId } });

type Limit = { metric: 'usd' | 'tokens'; window: 'minute' | 'day' | 'month'; scope: 'key' | 'app' | 'org' };

/** A provider's AI plan with `limits`; a consumer whose app subscribes to it since mid-November. */
async function seedWorld(limits: Array<Limit & { limit: string }>) {
  const providerOwner = await seedUser(db, 'prov');
  const provider = await seedOrg(db, providerOwner.id, 'OWNER', 'prov');
  const owner = await seedUser(db, 'cons');
  const consumer = await seedOrg(db, owner.id, 'OWNER', 'cons');
  const api = await db.api.create({
    data: { orgId: provider.id, name: 'Chat', slug: uniq('chat'), upstreamUrl: 'http://127.0.0.1:9/' },
  });
  const plan = await db.plan.create({ data: { apiId: api.id, name: 'AI', aiLimits: limits } });
  const subscribe = async (orgId: string) => {
    const app = await db.app.create({ data: { orgId, name: uniq('app') } });
    return db.subscription.create({
      data: {
        appId: app.id,
        planId: plan.id,
        status: 'ACTIVE',
        currentPeriodStart: at('2026-11-15T00:00:00Z'),
      },
    });
  };
  const subscription = await subscribe(consumer.id);
  return { owner, consumer, api, plan, subscription, subscribe, ctx: ctxOf(owner.id, consumer.id) };
}

/** AI spend (micro-USD) on one subscription in the hour `hour`. */
const spend = (subscriptionId: string, hour: string, costMicros: bigint) =>
  db.usageRollup.create({
    data: { subscriptionId, bucketStart: at(hour), statusClass: 2, requests: 1n, costMicros },
  });

const notificationsFor = (userId: string) =>
  db.notification.findMany({ where: { userId, kind: 'usage_alert.crossed' }, orderBy: { createdAt: 'asc' } });
const mailsTo = (email: string) => db.mail.findMany({ where: { to: email.toLowerCase() } });
const firedFor = (alertId: string, r: Awaited<ReturnType<typeof checkUsageAlerts>>) =>
  r.fired.filter((f) => f.alertId === alertId);

const APP_BUDGET = { metric: 'usd', window: 'month', scope: 'app', limit: '50' } as const;

describe('AI budget alerts', () => {
  it('fires at 80 % and 100 % of the monthly budget once per calendar month', async () => {
    const w = await seedWorld([APP_BUDGET, { ...APP_BUDGET, window: 'day', limit: '1' }]);
    const alert = await createUsageAlert(w.ctx, {
      kind: 'SUBSCRIPTION_AI_BUDGET',
      subscriptionId: w.subscription.id,
      thresholds: [100, 80],
    });
    await spend(w.subscription.id, '2026-10-31T23:00:00Z', 90_000_000n); // last month: does not count
    await spend(w.subscription.id, '2026-11-02T10:00:00Z', 39_999_999n); // a micro-dollar short of 80 %
    const now = at('2026-11-20T12:00:00Z');
    expect(firedFor(alert.id, await checkUsageAlerts(db, { now }))).toEqual([]);

    await spend(w.subscription.id, '2026-11-03T10:00:00Z', 1n); // exactly $40.00 of $50.00
    const first = await checkUsageAlerts(db, { now });
    expect(firedFor(alert.id, first)).toEqual([
      { alertId: alert.id, periodStart: at('2026-11-01T00:00:00Z'), threshold: 80 },
    ]);
    const notes = await notificationsFor(w.owner.id);
    expect(notes.map((n) => n.title)).toEqual([
      `Chat · ${(await db.app.findFirstOrThrow({ where: { orgId: w.consumer.id } })).name}: 80% of the $50.00 monthly AI budget used`,
    ]);
    expect(notes[0]!.body).toContain('spent $40.00 of the $50.00 monthly AI budget');
    expect(await mailsTo(w.owner.email)).toHaveLength(1);
    expect(firedFor(alert.id, await checkUsageAlerts(db, { now }))).toEqual([]);

    await spend(w.subscription.id, '2026-11-20T10:00:00Z', 10_000_000n); // $50.00: 100 %
    const second = await checkUsageAlerts(db, { now: at('2026-11-21T00:00:00Z') });
    expect(firedFor(alert.id, second).map((f) => f.threshold)).toEqual([100]);
    expect((await notificationsFor(w.owner.id)).at(-1)!.title).toContain(
      '100% of the $50.00 monthly AI budget',
    );
    expect(await mailsTo(w.owner.email)).toHaveLength(2);

    // December starts at zero, not at the subscription's billing anniversary (the 15th).
    await spend(w.subscription.id, '2026-12-01T00:00:00Z', 45_000_000n);
    const next = await checkUsageAlerts(db, { now: at('2026-12-02T00:00:00Z') });
    expect(firedFor(alert.id, next)).toEqual([
      { alertId: alert.id, periodStart: at('2026-12-01T00:00:00Z'), threshold: 80 },
    ]);
    expect(await listUsageAlerts(w.ctx, at('2026-12-02T00:00:00Z'))).toMatchObject([
      { id: alert.id, kind: 'SUBSCRIPTION_AI_BUDGET', used: 45_000_000n, limit: 50_000_000n, percent: 90 },
    ]);
    expect(await db.usageAlertFiring.count({ where: { alertId: alert.id } })).toBe(3);
  });

  it('sends once when two checks run at the same time', async () => {
    const w = await seedWorld([APP_BUDGET]);
    const alert = await createUsageAlert(w.ctx, {
      kind: 'SUBSCRIPTION_AI_BUDGET',
      subscriptionId: w.subscription.id,
      thresholds: [80, 100],
    });
    await spend(w.subscription.id, '2026-11-02T10:00:00Z', 60_000_000n);
    const now = at('2026-11-20T12:00:00Z');
    const runs = await Promise.all([checkUsageAlerts(db, { now }), checkUsageAlerts(db, { now })]);
    expect(runs.flatMap((r) => firedFor(alert.id, r)).map((f) => f.threshold)).toEqual([80, 100]);
    expect(await notificationsFor(w.owner.id)).toHaveLength(1);
    expect(await mailsTo(w.owner.email)).toHaveLength(1);
  });

  it('counts an organization-wide budget over all of the org’s apps on the plan, and only them', async () => {
    const w = await seedWorld([{ ...APP_BUDGET, scope: 'org', limit: '10' }]);
    const sibling = await w.subscribe(w.consumer.id);
    const otherOrg = await seedOrg(db, (await seedUser(db, 'other')).id);
    const stranger = await w.subscribe(otherOrg.id);
    const alert = await createUsageAlert(w.ctx, {
      kind: 'SUBSCRIPTION_AI_BUDGET',
      subscriptionId: w.subscription.id,
      thresholds: [100],
    });
    await spend(w.subscription.id, '2026-11-02T10:00:00Z', 6_000_000n);
    await spend(stranger.id, '2026-11-02T10:00:00Z', 9_000_000n); // another org's budget
    const now = at('2026-11-20T12:00:00Z');
    expect(firedFor(alert.id, await checkUsageAlerts(db, { now }))).toEqual([]);
    await spend(sibling.id, '2026-11-03T10:00:00Z', 4_000_000n);
    expect(firedFor(alert.id, await checkUsageAlerts(db, { now })).map((f) => f.threshold)).toEqual([100]);
    const [note] = await notificationsFor(w.owner.id);
    expect(note!.title).toContain("100% of the organization's $10.00 monthly AI budget used");
  });

  it('watches whichever budget runs out first: the org-wide one before a larger per-app one', async () => {
    // The gateway refuses calls at $50 spent by the org's apps together, though each app may spend $100.
    const w = await seedWorld([
      { ...APP_BUDGET, limit: '100' },
      { ...APP_BUDGET, scope: 'org', limit: '50' },
    ]);
    const sibling = await w.subscribe(w.consumer.id);
    const alert = await createUsageAlert(w.ctx, {
      kind: 'SUBSCRIPTION_AI_BUDGET',
      subscriptionId: w.subscription.id,
      thresholds: [100],
    });
    await spend(w.subscription.id, '2026-11-02T10:00:00Z', 30_000_000n); // 30 % of the app's $100
    await spend(sibling.id, '2026-11-02T11:00:00Z', 20_000_000n); // the org: $50 of $50
    const now = at('2026-11-20T12:00:00Z');
    expect(firedFor(alert.id, await checkUsageAlerts(db, { now })).map((f) => f.threshold)).toEqual([100]);
    const [note] = await notificationsFor(w.owner.id);
    expect(note!.title).toContain("100% of the organization's $50.00 monthly AI budget used");
    const [row] = await listUsageAlerts(w.ctx, now);
    expect(row).toMatchObject({ budgetScope: 'org', limit: 50_000_000n, used: 50_000_000n, percent: 100 });
  });

  it('refuses a plan without a monthly USD budget, and fires nothing once the budget is gone', async () => {
    const w = await seedWorld([
      { ...APP_BUDGET, window: 'day' },
      { metric: 'tokens', window: 'month', scope: 'app', limit: '1000' },
    ]);
    await expect(
      createUsageAlert(w.ctx, {
        kind: 'SUBSCRIPTION_AI_BUDGET',
        subscriptionId: w.subscription.id,
        thresholds: [80],
      }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('no monthly USD AI budget'),
    });
    expect((await usageAlertOptions(w.ctx)).budgetSubscriptions).toEqual([]);

    const budgeted = await seedWorld([APP_BUDGET]);
    const alert = await createUsageAlert(budgeted.ctx, {
      kind: 'SUBSCRIPTION_AI_BUDGET',
      subscriptionId: budgeted.subscription.id,
      thresholds: [50],
    });
    await db.plan.update({ where: { id: budgeted.plan.id }, data: { aiLimits: [] } });
    await spend(budgeted.subscription.id, '2026-11-02T10:00:00Z', 60_000_000n);
    const result = await checkUsageAlerts(db, { now: at('2026-11-20T12:00:00Z') });
    expect(firedFor(alert.id, result)).toEqual([]);
    expect(await notificationsFor(budgeted.owner.id)).toHaveLength(0);
  });

  it('lets no other tenant set or read a budget alert on a foreign subscription', async () => {
    const w = await seedWorld([APP_BUDGET]);
    const stranger = await seedUser(db, 'stranger');
    const strangerCtx = ctxOf(stranger.id, (await seedOrg(db, stranger.id)).id);
    await expect(
      createUsageAlert(strangerCtx, {
        kind: 'SUBSCRIPTION_AI_BUDGET',
        subscriptionId: w.subscription.id,
        thresholds: [80],
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await usageAlertOptions(strangerCtx)).budgetSubscriptions).toEqual([]);
    expect((await usageAlertOptions(w.ctx)).budgetSubscriptions).toEqual([
      { id: w.subscription.id, label: expect.stringContaining('$50.00 per month') },
    ]);
    await createUsageAlert(w.ctx, {
      kind: 'SUBSCRIPTION_AI_BUDGET',
      subscriptionId: w.subscription.id,
      thresholds: [80],
    });
    expect(await listUsageAlerts(strangerCtx)).toEqual([]);
  });
});
