import { describe, expect, it } from 'vitest';
import { callerFor, db, expectTrpcError, member, seedUser, uniq } from '../../test/harness';

describe('org', () => {
  it('creates an org whose creator is OWNER, listed under mine, with an audit row', async () => {
    const user = await seedUser(db, 'founder');
    const caller = callerFor(user.id);
    const slug = uniq('acme');
    const org = await caller.org.create({ name: 'Acme', slug: slug.toUpperCase() });
    expect(org.slug).toBe(slug);
    const membership = await db.membership.findFirstOrThrow({ where: { orgId: org.id, userId: user.id } });
    expect(membership.role).toBe('OWNER');
    expect(await caller.org.listMine()).toEqual([{ id: org.id, slug, name: 'Acme', role: 'OWNER' }]);
    expect(await caller.org.get({ orgSlug: slug })).toMatchObject({ id: org.id, role: 'OWNER' });
    expect(
      await db.auditLog.count({ where: { orgId: org.id, action: 'org.create', actorId: user.id } }),
    ).toBe(1);
  });

  it('rejects a duplicate slug on the slug field and an invalid slug', async () => {
    const { org, caller } = await member();
    const error = await expectTrpcError(caller.org.create({ name: 'Again', slug: org.slug }), 'CONFLICT');
    expect(error.cause).toMatchObject({ fields: { slug: 'This slug is already taken' } });
    await expectTrpcError(caller.org.create({ name: 'Bad', slug: '-bad slug-' }), 'BAD_REQUEST');
    await expectTrpcError(caller.org.create({ name: 'Reserved', slug: 'api' }), 'BAD_REQUEST');
  });

  it('requires a session and hides orgs the user is not a member of', async () => {
    await expectTrpcError(callerFor(null).org.listMine(), 'UNAUTHORIZED');
    const { org } = await member();
    const outsider = await member();
    await expectTrpcError(outsider.caller.org.get({ orgSlug: org.slug }), 'NOT_FOUND');
    await expectTrpcError(outsider.caller.org.get({ orgSlug: 'no-such-org-anywhere' }), 'NOT_FOUND');
  });

  it('ignores role or membership fields smuggled into input', async () => {
    const user = await seedUser(db, 'smuggler');
    const slug = uniq('smuggle');
    await callerFor(user.id).org.create({ name: 'S', slug, role: 'VIEWER', id: 'x' } as never);
    const org = await db.organization.findUniqueOrThrow({ where: { slug }, include: { memberships: true } });
    expect(org.id).not.toBe('x');
    expect(org.memberships.map((m) => m.role)).toEqual(['OWNER']);
  });
});
