import { monthStart } from '@portcullis/core/periods';
import { describe, expect, it } from 'vitest';
import { consumerWithApp, db, expectTrpcError, member, providerWithPlan } from '../../test/harness';

describe('usage', () => {
  it("sums this month's rollups against the plan's monthly quota", async () => {
    const provider = await providerWithPlan({ requiresApproval: false, monthlyQuota: 500 });
    const consumer = await consumerWithApp();
    const sub = await consumer.caller.subscription.create({
      orgSlug: consumer.org.slug,
      appId: consumer.app.id,
      planId: provider.plan.id,
    });
    const thisMonth = monthStart(new Date());
    const lastMonth = new Date(thisMonth.getTime() - 3_600_000);
    await db.usageRollup.createMany({
      data: [
        { subscriptionId: sub.id, bucketStart: thisMonth, statusClass: 2, requests: 40n },
        { subscriptionId: sub.id, bucketStart: thisMonth, statusClass: 4, requests: 2n },
        {
          subscriptionId: sub.id,
          bucketStart: new Date(thisMonth.getTime() + 3_600_000),
          statusClass: 2,
          requests: 8n,
        },
        { subscriptionId: sub.id, bucketStart: lastMonth, statusClass: 2, requests: 1000n },
      ],
    });
    const usage = await consumer.caller.usage.forSubscription({
      orgSlug: consumer.org.slug,
      subscriptionId: sub.id,
    });
    expect(usage).toMatchObject({ subscriptionId: sub.id, used: 50, quota: 500 });
  });

  it('reports zero with no quota for an unlimited plan', async () => {
    const provider = await providerWithPlan({ requiresApproval: false, monthlyQuota: null });
    const consumer = await consumerWithApp();
    const sub = await consumer.caller.subscription.create({
      orgSlug: consumer.org.slug,
      appId: consumer.app.id,
      planId: provider.plan.id,
    });
    expect(
      await consumer.caller.usage.forSubscription({ orgSlug: consumer.org.slug, subscriptionId: sub.id }),
    ).toMatchObject({ used: 0, quota: null });
  });

  it("answers NOT_FOUND for another tenant's subscription", async () => {
    const provider = await providerWithPlan({ requiresApproval: false });
    const consumer = await consumerWithApp();
    const sub = await consumer.caller.subscription.create({
      orgSlug: consumer.org.slug,
      appId: consumer.app.id,
      planId: provider.plan.id,
    });
    const attacker = await member();
    await expectTrpcError(
      attacker.caller.usage.forSubscription({ orgSlug: attacker.org.slug, subscriptionId: sub.id }),
      'NOT_FOUND',
    );
    await expectTrpcError(
      attacker.caller.usage.forSubscription({ orgSlug: consumer.org.slug, subscriptionId: sub.id }),
      'NOT_FOUND',
    );
  });
});
