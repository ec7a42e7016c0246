import { describe, expect, it } from 'vitest';
import {
  addMember,
  consumerWithApp,
  db,
  expectTrpcError,
  listenConfig,
  member,
  providerWithPlan,
} from '../../test/harness';

describe('subscription', () => {
  it('subscribes PENDING when approval is required; the provider approves and gateways hear it', async () => {
    const provider = await providerWithPlan({ requiresApproval: true });
    const consumer = await consumerWithApp();
    const sub = await consumer.caller.subscription.create({
      orgSlug: consumer.org.slug,
      appId: consumer.app.id,
      planId: provider.plan.id,
      status: 'ACTIVE',
    } as never);
    expect(sub.status).toBe('PENDING');

    const queue = await provider.caller.subscription.pending({ orgSlug: provider.org.slug });
    expect(queue).toEqual([
      expect.objectContaining({
        id: sub.id,
        app: expect.objectContaining({
          name: consumer.app.name,
          org: expect.objectContaining({ slug: consumer.org.slug }),
        }),
        plan: expect.objectContaining({
          name: 'Basic',
          api: expect.objectContaining({ id: provider.api.id }),
        }),
      }),
    ]);
    // The consumer's own org has nothing pending for it to decide.
    expect(await consumer.caller.subscription.pending({ orgSlug: consumer.org.slug })).toEqual([]);

    const listener = await listenConfig();
    try {
      const approved = await provider.caller.subscription.approve({
        orgSlug: provider.org.slug,
        subscriptionId: sub.id,
      });
      expect(approved.status).toBe('ACTIVE');
      expect(await listener.next((c) => c.kind === 'subscription' && c.id === sub.id)).toEqual({
        kind: 'subscription',
        id: sub.id,
      });
    } finally {
      await listener.close();
    }
    const row = await db.subscription.findUniqueOrThrow({ where: { id: sub.id } });
    expect(row).toMatchObject({ status: 'ACTIVE', decidedById: provider.user.id });
    expect(
      await db.auditLog.findFirst({
        where: { action: 'subscription.approve', targetId: sub.id, orgId: provider.org.id },
      }),
    ).toMatchObject({ before: { status: 'PENDING' }, after: { status: 'ACTIVE' } });

    const mine = await consumer.caller.subscription.listMine({
      orgSlug: consumer.org.slug,
      appId: consumer.app.id,
    });
    expect(mine).toEqual([expect.objectContaining({ id: sub.id, status: 'ACTIVE' })]);

    await provider.caller.subscription.suspend({ orgSlug: provider.org.slug, subscriptionId: sub.id });
    await expectTrpcError(
      provider.caller.subscription.approve({ orgSlug: provider.org.slug, subscriptionId: sub.id }),
      'CONFLICT',
    );
    const resumed = await provider.caller.subscription.resume({
      orgSlug: provider.org.slug,
      subscriptionId: sub.id,
    });
    expect(resumed.status).toBe('ACTIVE');
  });

  it('subscribes ACTIVE at once without approval and rejects a duplicate', async () => {
    const provider = await providerWithPlan({ requiresApproval: false });
    const consumer = await consumerWithApp();
    const input = { orgSlug: consumer.org.slug, appId: consumer.app.id, planId: provider.plan.id };
    expect((await consumer.caller.subscription.create(input)).status).toBe('ACTIVE');
    const dup = await expectTrpcError(consumer.caller.subscription.create(input), 'CONFLICT');
    expect(dup.message).toMatch(/already has a subscription to this API \(ACTIVE\)/);
    const concurrent = await Promise.allSettled([
      consumer.caller.subscription.create(input),
      consumer.caller.subscription.create(input),
    ]);
    expect(concurrent.every((r) => r.status === 'rejected')).toBe(true);
    expect(await db.subscription.count({ where: { appId: consumer.app.id } })).toBe(1);
  });

  it('rejects only with a reason, which is stored', async () => {
    const provider = await providerWithPlan();
    const consumer = await consumerWithApp();
    const sub = await consumer.caller.subscription.create({
      orgSlug: consumer.org.slug,
      appId: consumer.app.id,
      planId: provider.plan.id,
    });
    const noReason = await expectTrpcError(
      provider.caller.subscription.reject({
        orgSlug: provider.org.slug,
        subscriptionId: sub.id,
        reason: '   ',
      }),
      'BAD_REQUEST',
    );
    expect(noReason.message).toMatch(/reason is required/);
    await provider.caller.subscription.reject({
      orgSlug: provider.org.slug,
      subscriptionId: sub.id,
      reason: 'Unknown company',
    });
    expect(await db.subscription.findUniqueOrThrow({ where: { id: sub.id } })).toMatchObject({
      status: 'REJECTED',
      rejectionReason: 'Unknown company',
    });
    // A rejected request no longer blocks a new one.
    const again = await consumer.caller.subscription.create({
      orgSlug: consumer.org.slug,
      appId: consumer.app.id,
      planId: provider.plan.id,
    });
    expect(again.status).toBe('PENDING');
  });

  it('forbids DEVELOPER from approving and VIEWER from subscribing', async () => {
    const provider = await providerWithPlan();
    const consumer = await consumerWithApp();
    const sub = await consumer.caller.subscription.create({
      orgSlug: consumer.org.slug,
      appId: consumer.app.id,
      planId: provider.plan.id,
    });
    const developer = await addMember(provider.org.id, 'DEVELOPER');
    await expectTrpcError(
      developer.caller.subscription.approve({ orgSlug: provider.org.slug, subscriptionId: sub.id }),
      'FORBIDDEN',
    );
    expect(await developer.caller.subscription.pending({ orgSlug: provider.org.slug })).toHaveLength(1);
    const viewer = await addMember(consumer.org.id, 'VIEWER');
    await expectTrpcError(
      viewer.caller.subscription.create({
        orgSlug: consumer.org.slug,
        appId: consumer.app.id,
        planId: provider.plan.id,
      }),
      'FORBIDDEN',
    );
  });

  it("answers NOT_FOUND for another tenant's subscription, app or unpublished plan", async () => {
    const provider = await providerWithPlan();
    const consumer = await consumerWithApp();
    const sub = await consumer.caller.subscription.create({
      orgSlug: consumer.org.slug,
      appId: consumer.app.id,
      planId: provider.plan.id,
    });
    const attacker = await member();
    const mine = attacker.org.slug;
    const calls = [
      () => attacker.caller.subscription.approve({ orgSlug: mine, subscriptionId: sub.id }),
      () => attacker.caller.subscription.reject({ orgSlug: mine, subscriptionId: sub.id, reason: 'x' }),
      () => attacker.caller.subscription.suspend({ orgSlug: mine, subscriptionId: sub.id }),
      () => attacker.caller.subscription.resume({ orgSlug: mine, subscriptionId: sub.id }),
      // The consumer cannot approve its own request: it is not the provider.
      () => consumer.caller.subscription.approve({ orgSlug: consumer.org.slug, subscriptionId: sub.id }),
      () =>
        attacker.caller.subscription.create({
          orgSlug: mine,
          appId: consumer.app.id,
          planId: provider.plan.id,
        }),
      () => attacker.caller.subscription.approve({ orgSlug: provider.org.slug, subscriptionId: sub.id }),
    ];
    for (const call of calls) await expectTrpcError(call(), 'NOT_FOUND');
    expect(await attacker.caller.subscription.listMine({ orgSlug: mine, appId: consumer.app.id })).toEqual(
      [],
    );
    expect((await db.subscription.findUniqueOrThrow({ where: { id: sub.id } })).status).toBe('PENDING');

    const draft = await provider.caller.api.create({
      orgSlug: provider.org.slug,
      name: 'Draft',
      slug: 'draft-api',
      upstreamUrl: 'http://127.0.0.1:9',
    });
    const draftPlan = await provider.caller.plan.create({
      orgSlug: provider.org.slug,
      apiId: draft.id,
      name: 'P',
    });
    await expectTrpcError(
      consumer.caller.subscription.create({
        orgSlug: consumer.org.slug,
        appId: consumer.app.id,
        planId: draftPlan.id,
      }),
      'NOT_FOUND',
    );
  });
});
