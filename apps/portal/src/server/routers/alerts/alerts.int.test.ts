import { describe, expect, it } from 'vitest';
import {
  addMember,
  consumerWithApp,
  db,
  expectTrpcError,
  member,
  providerWithPlan,
} from '../../test/harness';

describe('alerts router', () => {
  it('lets an owner add, list and delete alerts; members below admin only read', async () => {
    const provider = await providerWithPlan({ requiresApproval: false, monthlyQuota: 500 });
    const consumer = await consumerWithApp();
    const sub = await consumer.caller.subscription.create({
      orgSlug: consumer.org.slug,
      appId: consumer.app.id,
      planId: provider.plan.id,
    });
    const orgSlug = consumer.org.slug;
    const options = await consumer.caller.alerts.options({ orgSlug });
    expect(options.subscriptions.map((s) => s.id)).toEqual([sub.id]);
    const created = await consumer.caller.alerts.create({
      orgSlug,
      kind: 'SUBSCRIPTION_QUOTA',
      subscriptionId: sub.id,
      thresholds: [100, 80],
    });
    const listed = await consumer.caller.alerts.list({ orgSlug });
    expect(listed).toMatchObject([
      { id: created.id, thresholds: [80, 100], limit: 500n, used: 0n, percent: 0 },
    ]);
    expect(await db.auditLog.count({ where: { targetId: created.id, action: 'usage_alert.create' } })).toBe(
      1,
    );

    const developer = await addMember(consumer.org.id, 'DEVELOPER');
    expect(await developer.caller.alerts.list({ orgSlug })).toHaveLength(1);
    await expectTrpcError(developer.caller.alerts.delete({ orgSlug, alertId: created.id }), 'FORBIDDEN');
    await expectTrpcError(
      developer.caller.alerts.create({
        orgSlug,
        kind: 'SUBSCRIPTION_QUOTA',
        subscriptionId: sub.id,
        thresholds: [50],
      }),
      'FORBIDDEN',
    );

    const stranger = await member('OWNER', 'stranger');
    await expectTrpcError(stranger.caller.alerts.list({ orgSlug }), 'NOT_FOUND');
    await expectTrpcError(
      stranger.caller.alerts.delete({ orgSlug: stranger.org.slug, alertId: created.id }),
      'NOT_FOUND',
    );
    await expectTrpcError(
      consumer.caller.alerts.create({
        orgSlug,
        kind: 'SUBSCRIPTION_QUOTA',
        subscriptionId: sub.id,
        thresholds: [],
      }),
      'BAD_REQUEST',
    );

    await consumer.caller.alerts.delete({ orgSlug, alertId: created.id });
    expect(await consumer.caller.alerts.list({ orgSlug })).toEqual([]);
  });

  it('sets an AI budget alert only on an own subscription whose plan has a monthly USD budget', async () => {
    const provider = await providerWithPlan({ requiresApproval: false, monthlyQuota: null });
    const consumer = await consumerWithApp();
    const orgSlug = consumer.org.slug;
    const sub = await consumer.caller.subscription.create({
      orgSlug,
      appId: consumer.app.id,
      planId: provider.plan.id,
    });
    const budgetAlert = { orgSlug, kind: 'SUBSCRIPTION_AI_BUDGET' as const, subscriptionId: sub.id };
    expect((await consumer.caller.alerts.options({ orgSlug })).budgetSubscriptions).toEqual([]);
    await expectTrpcError(consumer.caller.alerts.create({ ...budgetAlert, thresholds: [80] }), 'BAD_REQUEST');

    await db.plan.update({
      where: { id: provider.plan.id },
      data: { aiLimits: [{ metric: 'usd', window: 'month', scope: 'org', limit: '25' }] },
    });
    const options = await consumer.caller.alerts.options({ orgSlug });
    expect(options.subscriptions).toEqual([]);
    expect(options.budgetSubscriptions).toEqual([
      { id: sub.id, label: expect.stringContaining('$25.00 per month for the organization') },
    ]);
    const created = await consumer.caller.alerts.create({ ...budgetAlert, thresholds: [100, 80] });
    expect(await consumer.caller.alerts.list({ orgSlug })).toMatchObject([
      { id: created.id, kind: 'SUBSCRIPTION_AI_BUDGET', budgetScope: 'org', limit: 25_000_000n, used: 0n },
    ]);

    const stranger = await member('OWNER', 'stranger');
    await expectTrpcError(
      stranger.caller.alerts.create({ ...budgetAlert, orgSlug: stranger.org.slug, thresholds: [80] }),
      'NOT_FOUND',
    );
    await expectTrpcError(stranger.caller.alerts.create({ ...budgetAlert, thresholds: [80] }), 'NOT_FOUND');
    expect(await stranger.caller.alerts.list({ orgSlug: stranger.org.slug })).toEqual([]);
  });
});
