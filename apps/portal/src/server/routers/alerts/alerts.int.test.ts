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
});
