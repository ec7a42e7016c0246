import { describe, expect, it } from 'vitest';
import {
  addMember,
  callerFor,
  consumerWithApp,
  db,
  expectTrpcError,
  listenConfig,
  member,
  providerWithPlan,
  uniq,
} from '../../test/harness';

const notificationsOf = (userId: string, kind: string) =>
  db.notification.findMany({ where: { userId, kind }, orderBy: { createdAt: 'asc' } });

describe('subscription notifications', () => {
  it('tells the provider’s approvers about a request, in-app and by mail, and the requester about each decision', async () => {
    const p = await providerWithPlan({ requiresApproval: true });
    const admin = await addMember(p.org.id, 'ADMIN');
    const developer = await addMember(p.org.id, 'DEVELOPER');
    const consumer = await consumerWithApp();
    const requester = await addMember(consumer.org.id, 'DEVELOPER');
    const sub = await requester.caller.subscription.create({
      orgSlug: consumer.org.slug,
      appId: consumer.app.id,
      planId: p.plan.id,
    });

    for (const approver of [p.user, admin.user]) {
      expect(await notificationsOf(approver.id, 'subscription.requested')).toEqual([
        expect.objectContaining({
          orgId: p.org.id,
          title: `${consumer.app.name} asks to subscribe to Weather`,
          link: `/o/${p.org.slug}/approvals`,
        }),
      ]);
      expect(
        await db.mail.count({ where: { to: approver.email, subject: { contains: 'asks to subscribe' } } }),
      ).toBe(1);
    }
    expect(await notificationsOf(developer.user.id, 'subscription.requested')).toEqual([]);

    const ref = { orgSlug: p.org.slug, subscriptionId: sub.id };
    await admin.caller.subscription.approve(ref);
    await admin.caller.subscription.suspend(ref);
    await admin.caller.subscription.resume(ref);
    const kinds = ['subscription.approved', 'subscription.suspended', 'subscription.resumed'];
    for (const kind of kinds) {
      expect(await notificationsOf(requester.user.id, kind), kind).toEqual([
        expect.objectContaining({ link: `/o/${consumer.org.slug}/apps/${consumer.app.id}` }),
      ]);
    }
    // The requester is the one told; the org owner who did not ask is not.
    expect(await notificationsOf(consumer.user.id, 'subscription.approved')).toEqual([]);
    expect(await db.mail.count({ where: { to: requester.user.email } })).toBe(3);

    const rejected = await consumer.caller.subscription.create({
      orgSlug: consumer.org.slug,
      appId: (await consumer.caller.app.create({ orgSlug: consumer.org.slug, name: uniq('second') })).id,
      planId: p.plan.id,
    });
    await p.caller.subscription.reject({
      orgSlug: p.org.slug,
      subscriptionId: rejected.id,
      reason: 'No scrapers',
    });
    const [rejection] = await notificationsOf(consumer.user.id, 'subscription.rejected');
    expect(rejection?.body).toContain('Reason: No scrapers');
  });

  it('tells approvers without mail when a plan needs no approval (ACTIVE at once)', async () => {
    const p = await providerWithPlan({ requiresApproval: false });
    const consumer = await consumerWithApp();
    const sub = await consumer.caller.subscription.create({
      orgSlug: consumer.org.slug,
      appId: consumer.app.id,
      planId: p.plan.id,
    });
    expect(sub.status).toBe('ACTIVE');
    expect(await notificationsOf(p.user.id, 'subscription.started')).toHaveLength(1);
    expect(await db.mail.count({ where: { to: p.user.email } })).toBe(0);
  });
});

describe('subscription.cancel', () => {
  it('lets the consumer cancel its own subscription: CANCELLED, audited, NOTIFY for the gateway, provider told', async () => {
    const p = await providerWithPlan({ requiresApproval: false });
    const consumer = await consumerWithApp();
    const developer = await addMember(consumer.org.id, 'DEVELOPER');
    const sub = await consumer.caller.subscription.create({
      orgSlug: consumer.org.slug,
      appId: consumer.app.id,
      planId: p.plan.id,
    });
    const listener = await listenConfig();
    try {
      const cancelled = await developer.caller.subscription.cancel({
        orgSlug: consumer.org.slug,
        subscriptionId: sub.id,
      });
      expect(cancelled).toEqual({ id: sub.id, status: 'CANCELLED' });
      expect(await listener.next((c) => c.kind === 'subscription' && 'id' in c && c.id === sub.id)).toEqual({
        kind: 'subscription',
        id: sub.id,
      });
    } finally {
      await listener.close();
    }
    expect(await db.subscription.findUniqueOrThrow({ where: { id: sub.id } })).toMatchObject({
      status: 'CANCELLED',
      decidedById: developer.user.id,
    });
    expect(
      await db.auditLog.findFirst({
        where: { action: 'subscription.cancel', targetId: sub.id, orgId: consumer.org.id },
      }),
    ).toMatchObject({
      actorId: developer.user.id,
      before: { status: 'ACTIVE' },
      after: { status: 'CANCELLED' },
    });
    expect(await notificationsOf(p.user.id, 'subscription.cancelled')).toHaveLength(1);
    await expectTrpcError(
      consumer.caller.subscription.cancel({ orgSlug: consumer.org.slug, subscriptionId: sub.id }),
      'CONFLICT',
    );
    // After cancelling, the app may subscribe again.
    const again = await consumer.caller.subscription.create({
      orgSlug: consumer.org.slug,
      appId: consumer.app.id,
      planId: p.plan.id,
    });
    expect(again.status).toBe('ACTIVE');
  });

  it('is refused to viewers, to the provider, to other tenants and to anonymous callers', async () => {
    const p = await providerWithPlan({ requiresApproval: true });
    const consumer = await consumerWithApp();
    const sub = await consumer.caller.subscription.create({
      orgSlug: consumer.org.slug,
      appId: consumer.app.id,
      planId: p.plan.id,
    });
    const viewer = await addMember(consumer.org.id, 'VIEWER');
    await expectTrpcError(
      viewer.caller.subscription.cancel({ orgSlug: consumer.org.slug, subscriptionId: sub.id }),
      'FORBIDDEN',
    );
    // The provider suspends; cancelling is the consumer's.
    await expectTrpcError(
      p.caller.subscription.cancel({ orgSlug: p.org.slug, subscriptionId: sub.id }),
      'NOT_FOUND',
    );
    const attacker = await member('OWNER', 'attacker');
    await expectTrpcError(
      attacker.caller.subscription.cancel({ orgSlug: attacker.org.slug, subscriptionId: sub.id }),
      'NOT_FOUND',
    );
    await expectTrpcError(
      attacker.caller.subscription.cancel({ orgSlug: consumer.org.slug, subscriptionId: sub.id }),
      'NOT_FOUND',
    );
    await expectTrpcError(
      callerFor(null).subscription.cancel({ orgSlug: consumer.org.slug, subscriptionId: sub.id }),
      'UNAUTHORIZED',
    );
    expect(await db.subscription.findUniqueOrThrow({ where: { id: sub.id } })).toMatchObject({
      status: 'PENDING',
    });
  });
});

describe('subscription visibility', () => {
  it('lets only the orgs an ORG API is shared with (and its own) subscribe; PRIVATE only its own org', async () => {
    const owner = await member('OWNER', 'shared-owner');
    const api = await owner.caller.api.create({
      orgSlug: owner.org.slug,
      name: 'Internal',
      slug: uniq('internal'),
      upstreamUrl: 'http://127.0.0.1:9/',
      visibility: 'ORG',
    });
    const plan = await owner.caller.plan.create({
      orgSlug: owner.org.slug,
      apiId: api.id,
      name: 'Team',
      requiresApproval: false,
    });
    await owner.caller.api.publish({ orgSlug: owner.org.slug, apiId: api.id });
    const team = await consumerWithApp();
    const outsider = await consumerWithApp();
    await owner.caller.api.addShare({ orgSlug: owner.org.slug, apiId: api.id, shareWithSlug: team.org.slug });

    const teamSub = await team.caller.subscription.create({
      orgSlug: team.org.slug,
      appId: team.app.id,
      planId: plan.id,
    });
    expect(teamSub.status).toBe('ACTIVE');
    await expectTrpcError(
      outsider.caller.subscription.create({
        orgSlug: outsider.org.slug,
        appId: outsider.app.id,
        planId: plan.id,
      }),
      'NOT_FOUND',
    );
    // A user in both orgs cannot use the shared org's access for another org's app.
    await db.membership.create({ data: { orgId: team.org.id, userId: outsider.user.id, role: 'DEVELOPER' } });
    await expectTrpcError(
      outsider.caller.subscription.create({
        orgSlug: outsider.org.slug,
        appId: outsider.app.id,
        planId: plan.id,
      }),
      'NOT_FOUND',
    );
    const ownApp = await owner.caller.app.create({ orgSlug: owner.org.slug, name: uniq('own') });
    await owner.caller.api.update({
      orgSlug: owner.org.slug,
      apiId: api.id,
      name: 'Internal',
      description: '',
      tags: [],
      visibility: 'PRIVATE',
    });
    expect(
      (await owner.caller.subscription.create({ orgSlug: owner.org.slug, appId: ownApp.id, planId: plan.id }))
        .status,
    ).toBe('ACTIVE');
  });
});
