import { randomUUID } from 'node:crypto';
import { hashSecretToken } from '@portcullis/services/verbs/members';
import { describe, expect, it } from 'vitest';
import {
  addMember,
  callerFor,
  consumerWithApp,
  db,
  expectTrpcError,
  member,
  providerWithPlan,
  seedUser,
  uniq,
} from '../test/harness';

/**
 * Mass assignment: fields that decide ownership, standing or privilege (orgId, role, status, owner,
 * platform admin…) ride along in inputs and must change nothing. Inputs are typed, so the extras are
 * passed through `unknown`: what a hand-made HTTP request could send.
 */
const extra = <T>(input: T, fields: Record<string, unknown>) => ({ ...input, ...fields }) as T;

describe('mass assignment', () => {
  it('api.create and api.update ignore orgId, status, slug, version and publishedAt', async () => {
    const provider = await providerWithPlan();
    const victim = await member('OWNER', 'victim');
    const created = await provider.caller.api.create(
      extra(
        {
          orgSlug: provider.org.slug,
          name: 'Side',
          slug: uniq('side'),
          upstreamUrl: 'http://127.0.0.1:9/side',
        },
        { orgId: victim.org.id, status: 'PUBLISHED', publishedAt: new Date(), id: 'chosen' },
      ),
    );
    const createdRow = await db.api.findUniqueOrThrow({ where: { id: created.id } });
    expect(createdRow).toMatchObject({
      orgId: provider.org.id,
      status: 'DRAFT',
      publishedAt: null,
      kind: 'REST',
    });
    expect(createdRow.id).not.toBe('chosen');

    await provider.caller.api.update(
      extra(
        {
          orgSlug: provider.org.slug,
          apiId: provider.api.id,
          name: 'Renamed',
          description: 'd',
          tags: [],
          visibility: 'PUBLIC' as const,
        },
        { orgId: victim.org.id, status: 'RETIRED', slug: 'hijacked', version: 'v9', sunsetAt: new Date() },
      ),
    );
    const row = await db.api.findUniqueOrThrow({ where: { id: provider.api.id } });
    expect(row).toMatchObject({
      name: 'Renamed',
      orgId: provider.org.id,
      status: 'PUBLISHED',
      slug: provider.api.slug,
      version: 'v1',
      sunsetAt: null,
    });
    expect(await db.api.count({ where: { orgId: victim.org.id } })).toBe(0);
  });

  it('app.create and key.create ignore orgId, appId ownership tricks and key material', async () => {
    const consumer = await consumerWithApp();
    const victim = await consumerWithApp();
    const app = await consumer.caller.app.create(
      extra(
        { orgSlug: consumer.org.slug, name: uniq('app') },
        { orgId: victim.org.id, ownerId: victim.user.id },
      ),
    );
    expect((await db.app.findUniqueOrThrow({ where: { id: app.id } })).orgId).toBe(consumer.org.id);

    const key = await consumer.caller.key.create(
      extra(
        { orgSlug: consumer.org.slug, appId: app.id, name: 'ci' },
        { hash: 'a'.repeat(64), prefix: 'pk_live_mine', revokedAt: null, orgId: victim.org.id },
      ),
    );
    const keyRow = await db.apiKey.findFirstOrThrow({ where: { appId: app.id } });
    expect(keyRow.hash).not.toBe('a'.repeat(64));
    expect(keyRow.prefix).not.toBe('pk_live_mine');
    expect(JSON.stringify(key)).toContain(keyRow.last4);
    // The victim's app cannot receive a key through the caller's org.
    await expectTrpcError(
      consumer.caller.key.create({ orgSlug: consumer.org.slug, appId: victim.app.id, name: 'x' }),
      'NOT_FOUND',
    );
  });

  it('subscription.create ignores status and decider: an approval plan stays PENDING', async () => {
    const provider = await providerWithPlan({ requiresApproval: true });
    const consumer = await consumerWithApp();
    const sub = await consumer.caller.subscription.create(
      extra(
        { orgSlug: consumer.org.slug, appId: consumer.app.id, planId: provider.plan.id },
        { status: 'ACTIVE', decidedById: consumer.user.id, decidedAt: new Date() },
      ),
    );
    const row = await db.subscription.findUniqueOrThrow({ where: { id: sub.id } });
    expect(row).toMatchObject({ status: 'PENDING', decidedById: null, decidedAt: null });
  });

  it('org.create makes the creator OWNER and nobody else a member, whatever role or owner is sent', async () => {
    const user = await seedUser(db, 'creator');
    const other = await seedUser(db, 'other');
    const org = await callerFor(user.id).org.create(
      extra(
        { name: 'Mine', slug: uniq('mine') },
        { role: 'VIEWER', ownerId: other.id, memberships: [{ userId: other.id, role: 'OWNER' }] },
      ),
    );
    const memberships = await db.membership.findMany({ where: { orgId: org.id } });
    expect(memberships.map((m) => [m.userId, m.role])).toEqual([[user.id, 'OWNER']]);
  });

  it('auth.signUp cannot make a platform administrator', async () => {
    const email = `${uniq('signup')}@example.test`;
    await callerFor(null).auth.signUp(
      extra(
        { name: 'Eve', email, password: 'a-long-passphrase-1' },
        { isPlatformAdmin: true, emailVerified: new Date() },
      ),
    );
    const user = await db.user.findUniqueOrThrow({ where: { email } });
    expect(user.isPlatformAdmin).toBe(false);
    expect(user.emailVerified).toBeNull();
  });

  it('members.invite: an ADMIN cannot invite an OWNER, and orgId in the input is ignored', async () => {
    const owner = await member('OWNER', 'owner');
    const admin = await addMember(owner.org.id, 'ADMIN');
    const victim = await member('OWNER', 'victim');
    await expectTrpcError(
      admin.caller.members.invite({
        orgSlug: owner.org.slug,
        email: `${uniq('x')}@example.test`,
        role: 'OWNER',
      }),
      'FORBIDDEN',
    );
    const invited = await admin.caller.members.invite(
      extra(
        { orgSlug: owner.org.slug, email: `${uniq('y')}@example.test`, role: 'ADMIN' as const },
        { orgId: victim.org.id },
      ),
    );
    const row = await db.invitation.findUniqueOrThrow({ where: { id: invited.id } });
    expect(row).toMatchObject({ orgId: owner.org.id, role: 'ADMIN' });
    // A DEVELOPER cannot invite at all.
    const dev = await addMember(owner.org.id, 'DEVELOPER');
    await expectTrpcError(
      dev.caller.members.invite({
        orgSlug: owner.org.slug,
        email: `${uniq('z')}@example.test`,
        role: 'VIEWER',
      }),
      'FORBIDDEN',
    );
  });

  it('members.changeRole cannot escalate above the caller, nor change the caller itself', async () => {
    const owner = await member('OWNER', 'owner');
    const admin = await addMember(owner.org.id, 'ADMIN');
    const dev = await addMember(owner.org.id, 'DEVELOPER');
    const viewer = await addMember(owner.org.id, 'VIEWER');
    const orgSlug = owner.org.slug;
    const roleOf = async (userId: string) =>
      (await db.membership.findFirstOrThrow({ where: { orgId: owner.org.id, userId } })).role;

    await expectTrpcError(
      admin.caller.members.changeRole({ orgSlug, userId: viewer.user.id, role: 'OWNER' }),
      'FORBIDDEN',
    );
    await expectTrpcError(
      admin.caller.members.changeRole({ orgSlug, userId: admin.user.id, role: 'OWNER' }),
      'FORBIDDEN',
    );
    await expectTrpcError(
      admin.caller.members.changeRole({ orgSlug, userId: owner.user.id, role: 'VIEWER' }),
      'FORBIDDEN',
    );
    await expectTrpcError(
      dev.caller.members.changeRole({ orgSlug, userId: dev.user.id, role: 'ADMIN' }),
      'FORBIDDEN',
    );
    await expectTrpcError(
      viewer.caller.members.changeRole({ orgSlug, userId: viewer.user.id, role: 'OWNER' }),
      'FORBIDDEN',
    );
    expect([await roleOf(admin.user.id), await roleOf(dev.user.id), await roleOf(viewer.user.id)]).toEqual([
      'ADMIN',
      'DEVELOPER',
      'VIEWER',
    ]);
    expect(await roleOf(owner.user.id)).toBe('OWNER');

    // Allowed: up to the caller's own level, with a stray orgId ignored.
    const victim = await member('OWNER', 'victim');
    await db.membership.create({ data: { orgId: victim.org.id, userId: viewer.user.id, role: 'VIEWER' } });
    await admin.caller.members.changeRole(
      extra({ orgSlug, userId: viewer.user.id, role: 'ADMIN' as const }, { orgId: victim.org.id }),
    );
    expect(await roleOf(viewer.user.id)).toBe('ADMIN');
    const inVictim = await db.membership.findFirstOrThrow({
      where: { orgId: victim.org.id, userId: viewer.user.id },
    });
    expect(inVictim.role).toBe('VIEWER');
  });

  it('members.accept grants the invitation role, not the one in the input', async () => {
    const owner = await member('OWNER', 'owner');
    const email = `${uniq('invitee')}@example.test`;
    const token = `ma-${randomUUID()}-${randomUUID()}`;
    await db.invitation.create({
      data: {
        orgId: owner.org.id,
        email,
        role: 'VIEWER',
        tokenHash: hashSecretToken(token),
        expiresAt: new Date(Date.now() + 3_600_000),
      },
    });
    const invitee = await db.user.create({ data: { email, name: 'Invitee', emailVerified: new Date() } });
    const accepted = await callerFor(invitee.id).members.accept(
      extra({ token }, { role: 'OWNER', orgId: 'x' }),
    );
    expect(accepted.role).toBe('VIEWER');
    const row = await db.membership.findFirstOrThrow({ where: { orgId: owner.org.id, userId: invitee.id } });
    expect(row.role).toBe('VIEWER');
  });

  it('account.markRead only touches the caller’s notifications, whatever userId is sent', async () => {
    const me = await seedUser(db, 'me');
    const other = await seedUser(db, 'other');
    const theirs = await db.notification.create({ data: { userId: other.id, kind: 'k', title: 'Theirs' } });
    const result = await callerFor(me.id).account.markRead(extra({ ids: [theirs.id] }, { userId: other.id }));
    expect(result.updated).toBe(0);
    expect((await db.notification.findUniqueOrThrow({ where: { id: theirs.id } })).readAt).toBeNull();
  });

  it('policy.updatePlan ignores apiId and archivedAt: the plan stays on its API and active', async () => {
    const provider = await providerWithPlan();
    const victim = await providerWithPlan();
    await provider.caller.policy.updatePlan(
      extra(
        {
          orgSlug: provider.org.slug,
          planId: provider.plan.id,
          rateLimit: 5,
          rateLimitWindowSeconds: 60,
          monthlyQuota: 10,
          requiresApproval: false,
          limits: [],
        },
        { apiId: victim.api.id, archivedAt: new Date(), pricing: { model: 'flat', flatFee: '0' } },
      ),
    );
    const plan = await db.plan.findUniqueOrThrow({ where: { id: provider.plan.id } });
    expect(plan).toMatchObject({ apiId: provider.api.id, archivedAt: null, rateLimit: 5 });
    expect(plan.pricing).toEqual({ model: 'free' });
  });
});
