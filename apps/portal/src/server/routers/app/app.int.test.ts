import { describe, expect, it } from 'vitest';
import {
  addMember,
  callerFor,
  db,
  expectTrpcError,
  member,
  providerWithPlan,
  seedUser,
} from '../../test/harness';

describe('app', () => {
  it('creates, lists and gets apps in my org; names are unique per org', async () => {
    const { org, caller, user } = await member();
    const app = await caller.app.create({ orgSlug: org.slug, name: 'Mobile', orgId: 'other' } as never);
    expect(await db.app.findUniqueOrThrow({ where: { id: app.id } })).toMatchObject({ orgId: org.id });
    expect((await caller.app.list({ orgSlug: org.slug })).map((a) => a.name)).toEqual(['Mobile']);
    expect(await caller.app.get({ orgSlug: org.slug, appId: app.id })).toMatchObject({ name: 'Mobile' });
    const dup = await expectTrpcError(caller.app.create({ orgSlug: org.slug, name: 'Mobile' }), 'CONFLICT');
    expect(dup.cause).toMatchObject({ fields: { name: 'An app with this name already exists' } });
    expect(
      await db.auditLog.count({ where: { action: 'app.create', targetId: app.id, actorId: user.id } }),
    ).toBe(1);
    expect(await caller.app.subscribable()).toEqual([
      { id: app.id, name: 'Mobile', orgSlug: org.slug, orgName: org.name },
    ]);
  });

  it('lets DEVELOPER create apps, not VIEWER; VIEWER apps are not subscribable', async () => {
    const { org } = await member();
    const developer = await addMember(org.id, 'DEVELOPER');
    const viewer = await addMember(org.id, 'VIEWER');
    await developer.caller.app.create({ orgSlug: org.slug, name: 'Dev app' });
    await expectTrpcError(viewer.caller.app.create({ orgSlug: org.slug, name: 'Nope' }), 'FORBIDDEN');
    expect(await viewer.caller.app.list({ orgSlug: org.slug })).toHaveLength(1);
    expect(await viewer.caller.app.subscribable()).toEqual([]);
  });

  it("answers NOT_FOUND for another tenant's app", async () => {
    const victim = await member();
    const app = await victim.caller.app.create({ orgSlug: victim.org.slug, name: 'Secret' });
    const attacker = await member();
    await expectTrpcError(
      attacker.caller.app.get({ orgSlug: attacker.org.slug, appId: app.id }),
      'NOT_FOUND',
    );
    await expectTrpcError(attacker.caller.app.get({ orgSlug: victim.org.slug, appId: app.id }), 'NOT_FOUND');
    expect(await attacker.caller.app.list({ orgSlug: attacker.org.slug })).toEqual([]);
  });
});

describe('app.createAndSubscribe', () => {
  const newDeveloper = async (name = 'Dana Developer') => {
    const user = await db.user.update({
      where: { id: (await seedUser(db, 'dana')).id },
      data: { name },
    });
    return { user, caller: callerFor(user.id) };
  };

  it('gives a developer in no org a personal org, an app and an active subscription at once', async () => {
    const { plan } = await providerWithPlan({ requiresApproval: false });
    const { user, caller } = await newDeveloper('Zoë Developer');
    const result = await caller.app.createAndSubscribe({ planId: plan.id, appName: 'My app' });

    expect(result.subscription).toMatchObject({ status: 'ACTIVE', planId: plan.id, appId: result.app.id });
    expect(result.org.name).toBe("Zoë Developer's workspace");
    expect(result.org.slug).toMatch(/^zoe-developer-[0-9a-f]{6}$/);
    expect(await caller.org.listMine()).toEqual([{ ...result.org, role: 'OWNER' }]);
    expect(await caller.app.subscribable()).toEqual([
      { id: result.app.id, name: 'My app', orgSlug: result.org.slug, orgName: result.org.name },
    ]);
    const audit = await db.auditLog.findMany({
      where: { actorId: user.id },
      select: { action: true, orgId: true },
    });
    expect(audit.map((a) => a.action).sort()).toEqual(['app.create', 'org.create', 'subscription.create']);
    expect(new Set(audit.map((a) => a.orgId))).toEqual(new Set([result.org.id]));

    // The next app needs a chosen org: a second personal org is never made.
    const again = await expectTrpcError(
      caller.app.createAndSubscribe({ planId: plan.id, appName: 'Second' }),
      'BAD_REQUEST',
    );
    expect(again.cause).toMatchObject({ fields: { orgSlug: 'Choose an organization' } });
    const second = await caller.app.createAndSubscribe({
      planId: plan.id,
      appName: 'Second',
      orgSlug: result.org.slug,
    });
    expect(second.org.id).toBe(result.org.id);
    expect(await db.membership.count({ where: { userId: user.id } })).toBe(1);
  });

  it('asks the provider first when the plan needs approval', async () => {
    const { plan } = await providerWithPlan({ requiresApproval: true });
    const { caller } = await newDeveloper();
    const result = await caller.app.createAndSubscribe({ planId: plan.id, appName: 'Waiting app' });
    expect(result.subscription.status).toBe('PENDING');
  });

  it('leaves nothing behind when the subscription is refused', async () => {
    const provider = await member('OWNER', 'drafter');
    const api = await provider.caller.api.create({
      orgSlug: provider.org.slug,
      name: 'Draft',
      slug: `draft-${Date.now()}`,
      upstreamUrl: 'http://127.0.0.1:9',
      visibility: 'PUBLIC',
    });
    const draftPlan = await provider.caller.plan.create({
      orgSlug: provider.org.slug,
      apiId: api.id,
      name: 'Basic',
      rateLimit: 10,
      rateLimitWindowSeconds: 60,
      monthlyQuota: 100,
      requiresApproval: false,
    });
    const { user, caller } = await newDeveloper();
    await expectTrpcError(
      caller.app.createAndSubscribe({ planId: draftPlan.id, appName: 'App' }),
      'NOT_FOUND',
    );
    await expectTrpcError(caller.app.createAndSubscribe({ planId: 'nope', appName: 'App' }), 'NOT_FOUND');
    expect(await db.membership.count({ where: { userId: user.id } })).toBe(0);
    expect(await db.auditLog.count({ where: { actorId: user.id } })).toBe(0);
  });

  it('creates the app in a chosen org only for roles that may create apps and subscribe', async () => {
    const { plan } = await providerWithPlan({ requiresApproval: false });
    const team = await member('OWNER', 'team');
    const developer = await addMember(team.org.id, 'DEVELOPER');
    const viewer = await addMember(team.org.id, 'VIEWER');
    const made = await developer.caller.app.createAndSubscribe({
      planId: plan.id,
      appName: 'Team app',
      orgSlug: team.org.slug,
    });
    expect(made.org.id).toBe(team.org.id);
    expect(await db.app.findUniqueOrThrow({ where: { id: made.app.id } })).toMatchObject({
      orgId: team.org.id,
    });

    const dup = await expectTrpcError(
      team.caller.app.createAndSubscribe({ planId: plan.id, appName: 'Team app', orgSlug: team.org.slug }),
      'CONFLICT',
    );
    expect(dup.cause).toMatchObject({ fields: { name: 'An app with this name already exists' } });
    await expectTrpcError(
      viewer.caller.app.createAndSubscribe({
        planId: plan.id,
        appName: 'Viewer app',
        orgSlug: team.org.slug,
      }),
      'FORBIDDEN',
    );
    // A viewer holds no org that may keep apps: without an org they get a personal one, never the team's.
    const own = await viewer.caller.app.createAndSubscribe({ planId: plan.id, appName: 'Viewer app' });
    expect(own.org.id).not.toBe(team.org.id);

    const stranger = await member('OWNER', 'stranger');
    await expectTrpcError(
      stranger.caller.app.createAndSubscribe({ planId: plan.id, appName: 'Sneaky', orgSlug: team.org.slug }),
      'NOT_FOUND',
    );
    expect(await db.app.count({ where: { orgId: team.org.id } })).toBe(1);
    await expectTrpcError(
      callerFor(null).app.createAndSubscribe({ planId: plan.id, appName: 'Anon' }),
      'UNAUTHORIZED',
    );
  });
});
