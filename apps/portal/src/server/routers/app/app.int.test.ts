import { describe, expect, it } from 'vitest';
import { addMember, db, expectTrpcError, member } from '../../test/harness';

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
