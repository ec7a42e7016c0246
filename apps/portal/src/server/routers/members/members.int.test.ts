import type { Role } from '@portcullis/db';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { describe, expect, it } from 'vitest';
import { newestMailText } from '../../../../../../test/fixtures';
import { env } from '../../../env';
import { addMember, db, expectTrpcError, member, seedUser, uniq } from '../../test/harness';
import { createCallerFactory, createTrpcContext, router } from '../../trpc';
import { membersRouter } from '.';

// root.ts is not this file's to edit: the procedures are mounted on a router of their own here.
const testRouter = router({ members: membersRouter });
const caller = (userId: string | null) => createCallerFactory(testRouter)(createTrpcContext({ db, userId }));

async function httpMutation(userId: string | null, path: string, input: unknown) {
  const res = await fetchRequestHandler({
    endpoint: '/api/trpc',
    req: new Request(`http://portal.test/api/trpc/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ json: input }),
    }),
    router: testRouter,
    createContext: () => createTrpcContext({ db, userId, isProduction: true }),
  });
  const body = (await res.json()) as {
    error?: { json: { data: { fields?: Record<string, string> | null } } };
  };
  return { status: res.status, fields: body.error?.json.data.fields ?? null };
}

async function tokenMailedTo(email: string): Promise<string> {
  const text = await newestMailText(db, email, env.PORTCULLIS_ENCRYPTION_KEY);
  expect(text).toContain(`${env.PORTAL_PUBLIC_URL}/invite/`);
  return text.match(/\/invite\/([A-Za-z0-9_-]{43})/)![1]!;
}

async function team() {
  const owner = await member('OWNER', 'owner');
  const teammates = {} as Record<Exclude<Role, 'OWNER'>, Awaited<ReturnType<typeof addMember>>>;
  for (const role of ['ADMIN', 'DEVELOPER', 'VIEWER'] as const)
    teammates[role] = await addMember(owner.org.id, role);
  return { owner, ...teammates, orgSlug: owner.org.slug };
}

describe('members router', () => {
  it('happy path: invite by email, accept as the new user, change the role, remove', async () => {
    const { owner, orgSlug } = await team();
    const email = `${uniq('newbie')}@example.test`;
    const invited = await caller(owner.user.id).members.invite({
      orgSlug,
      email: email.toUpperCase(),
      role: 'VIEWER',
    });
    expect(invited).toMatchObject({ email, role: 'VIEWER' });
    expect(Object.keys(invited).sort()).toEqual(['delivery', 'email', 'expiresAt', 'id', 'link', 'role']);
    // no SMTP_URL in the tests: the mail waits in the outbox, and the answer says so
    expect(invited.delivery).toEqual({ state: 'queued', reason: 'no-transport', lastError: null });
    const pending = await caller(owner.user.id).members.invitations({ orgSlug });
    expect(pending.map((i) => i.email)).toEqual([email]);

    const token = await tokenMailedTo(email);
    // the inviter got the same link to hand over themselves
    expect(invited.link).toBe(`${env.PORTAL_PUBLIC_URL}/invite/${token}`);
    const newbie = await db.user.create({ data: { email, name: 'Newbie', emailVerified: new Date() } });
    const preview = await caller(newbie.id).members.invitation({ token });
    expect(preview).toMatchObject({
      org: { slug: orgSlug },
      role: 'VIEWER',
      state: 'pending',
      emailMatches: true,
      emailVerified: true,
    });
    expect(await caller(newbie.id).members.accept({ token })).toEqual({
      org: { slug: orgSlug, name: owner.org.name },
      role: 'VIEWER',
    });
    expect(await caller(owner.user.id).members.invitations({ orgSlug })).toEqual([]);
    const members = await caller(newbie.id).members.list({ orgSlug });
    expect(members.find((m) => m.userId === newbie.id)).toMatchObject({ email, role: 'VIEWER' });

    await caller(owner.user.id).members.changeRole({ orgSlug, userId: newbie.id, role: 'DEVELOPER' });
    expect(
      (await caller(owner.user.id).members.list({ orgSlug })).find((m) => m.userId === newbie.id)?.role,
    ).toBe('DEVELOPER');
    await caller(owner.user.id).members.remove({ orgSlug, userId: newbie.id });
    await expectTrpcError(caller(newbie.id).members.list({ orgSlug }), 'NOT_FOUND');
    const actions = await db.auditLog.findMany({
      where: { orgId: owner.org.id, action: { startsWith: 'member.' } },
      orderBy: { at: 'asc' },
      select: { action: true },
    });
    expect(actions.map((a) => a.action)).toEqual([
      'member.invite',
      'member.join',
      'member.changeRole',
      'member.remove',
    ]);
  });

  it('an account holding the invited address unconfirmed is refused, over HTTP too, until it confirms', async () => {
    const { owner, orgSlug } = await team();
    const email = `${uniq('squat')}@example.test`;
    const { link } = await caller(owner.user.id).members.invite({ orgSlug, email, role: 'ADMIN' });
    const token = link.split('/').pop()!;
    const squatter = await db.user.create({ data: { email, name: 'Squatter' } });
    const refused = await httpMutation(squatter.id, 'members.accept', { token });
    expect(refused.status).toBe(403);
    await expectTrpcError(caller(squatter.id).members.accept({ token }), 'FORBIDDEN');
    expect(await db.membership.count({ where: { userId: squatter.id } })).toBe(0);
  });

  it('another tenant gets NOT_FOUND from every org-scoped procedure', async () => {
    const { owner, VIEWER, orgSlug } = await team();
    const outsider = await member('OWNER', 'outsider');
    const as = caller(outsider.user.id);
    const invitation = await caller(owner.user.id).members.invite({
      orgSlug,
      email: `${uniq('x')}@example.test`,
      role: 'VIEWER',
    });
    await expectTrpcError(as.members.list({ orgSlug }), 'NOT_FOUND');
    await expectTrpcError(as.members.invitations({ orgSlug }), 'NOT_FOUND');
    await expectTrpcError(
      as.members.invite({ orgSlug, email: 'a@example.test', role: 'VIEWER' }),
      'NOT_FOUND',
    );
    await expectTrpcError(as.members.revokeInvitation({ orgSlug, invitationId: invitation.id }), 'NOT_FOUND');
    await expectTrpcError(
      as.members.changeRole({ orgSlug, userId: VIEWER.user.id, role: 'ADMIN' }),
      'NOT_FOUND',
    );
    await expectTrpcError(as.members.remove({ orgSlug, userId: VIEWER.user.id }), 'NOT_FOUND');
    await expectTrpcError(as.members.leave({ orgSlug }), 'NOT_FOUND');
    // their own org slug with this org's ids: the ids are looked up inside their org only
    const own = { orgSlug: outsider.org.slug };
    await expectTrpcError(as.members.revokeInvitation({ ...own, invitationId: invitation.id }), 'NOT_FOUND');
    await expectTrpcError(
      as.members.changeRole({ ...own, userId: VIEWER.user.id, role: 'ADMIN' }),
      'NOT_FOUND',
    );
    await expectTrpcError(as.members.remove({ ...own, userId: VIEWER.user.id }), 'NOT_FOUND');
    expect(await db.invitation.count({ where: { id: invitation.id } })).toBe(1);
    expect(await db.membership.findFirstOrThrow({ where: { userId: VIEWER.user.id } })).toMatchObject({
      role: 'VIEWER',
    });
  });

  it('VIEWER and DEVELOPER may list and leave but not manage; anonymous gets UNAUTHORIZED', async () => {
    const { owner, ADMIN, DEVELOPER, VIEWER, orgSlug } = await team();
    const invitation = await caller(owner.user.id).members.invite({
      orgSlug,
      email: `${uniq('y')}@example.test`,
      role: 'VIEWER',
    });
    for (const { user } of [DEVELOPER, VIEWER]) {
      const as = caller(user.id);
      expect((await as.members.list({ orgSlug })).length).toBe(4);
      await expectTrpcError(as.members.invitations({ orgSlug }), 'FORBIDDEN');
      await expectTrpcError(
        as.members.invite({ orgSlug, email: 'b@example.test', role: 'VIEWER' }),
        'FORBIDDEN',
      );
      await expectTrpcError(
        as.members.revokeInvitation({ orgSlug, invitationId: invitation.id }),
        'FORBIDDEN',
      );
      await expectTrpcError(
        as.members.changeRole({ orgSlug, userId: ADMIN.user.id, role: 'VIEWER' }),
        'FORBIDDEN',
      );
      await expectTrpcError(as.members.remove({ orgSlug, userId: ADMIN.user.id }), 'FORBIDDEN');
    }
    await caller(DEVELOPER.user.id).members.leave({ orgSlug });
    await expectTrpcError(caller(DEVELOPER.user.id).members.list({ orgSlug }), 'NOT_FOUND');

    const anon = caller(null);
    await expectTrpcError(anon.members.list({ orgSlug }), 'UNAUTHORIZED');
    await expectTrpcError(
      anon.members.invite({ orgSlug, email: 'c@example.test', role: 'VIEWER' }),
      'UNAUTHORIZED',
    );
    await expectTrpcError(anon.members.invitation({ token: 'a'.repeat(43) }), 'UNAUTHORIZED');
    await expectTrpcError(anon.members.accept({ token: 'a'.repeat(43) }), 'UNAUTHORIZED');
  });

  it('ADMIN manages non-owners but cannot touch owners; the last owner stays', async () => {
    const { owner, ADMIN, DEVELOPER, orgSlug } = await team();
    const admin = caller(ADMIN.user.id);
    await admin.members.changeRole({ orgSlug, userId: DEVELOPER.user.id, role: 'ADMIN' });
    await expectTrpcError(
      admin.members.changeRole({ orgSlug, userId: DEVELOPER.user.id, role: 'OWNER' }),
      'FORBIDDEN',
    );
    await expectTrpcError(
      admin.members.changeRole({ orgSlug, userId: owner.user.id, role: 'VIEWER' }),
      'FORBIDDEN',
    );
    await expectTrpcError(admin.members.remove({ orgSlug, userId: owner.user.id }), 'FORBIDDEN');
    await expectTrpcError(
      admin.members.changeRole({ orgSlug, userId: ADMIN.user.id, role: 'OWNER' }),
      'FORBIDDEN',
    );
    await expectTrpcError(
      admin.members.invite({ orgSlug, email: `${uniq('o')}@example.test`, role: 'OWNER' }),
      'FORBIDDEN',
    );

    const ownerCaller = caller(owner.user.id);
    await expectTrpcError(ownerCaller.members.leave({ orgSlug }), 'CONFLICT');
    await expectTrpcError(
      ownerCaller.members.changeRole({ orgSlug, userId: owner.user.id, role: 'ADMIN' }),
      'FORBIDDEN',
    );
    await ownerCaller.members.changeRole({ orgSlug, userId: ADMIN.user.id, role: 'OWNER' });
    await ownerCaller.members.leave({ orgSlug });
    const owners = await db.membership.findMany({ where: { orgId: owner.org.id, role: 'OWNER' } });
    expect(owners.map((o) => o.userId)).toEqual([ADMIN.user.id]);
  });

  it('mass assignment: orgId in input is ignored, the accepted role is the invitation’s', async () => {
    const { owner, orgSlug } = await team();
    const other = await member('OWNER', 'other');
    const email = `${uniq('mass')}@example.test`;
    const invite = {
      orgSlug,
      email,
      role: 'VIEWER',
      orgId: other.org.id,
      invitedById: other.user.id,
    } as never;
    const invitation = await caller(owner.user.id).members.invite(invite);
    const row = await db.invitation.findUniqueOrThrow({ where: { id: invitation.id } });
    expect(row).toMatchObject({ orgId: owner.org.id, invitedById: owner.user.id, role: 'VIEWER' });

    const invitee = await db.user.create({ data: { email, emailVerified: new Date() } });
    const token = await tokenMailedTo(email);
    const accepted = await caller(invitee.id).members.accept({
      token,
      role: 'OWNER',
      orgId: other.org.id,
    } as never);
    expect(accepted.role).toBe('VIEWER');
    const memberships = await db.membership.findMany({ where: { userId: invitee.id } });
    expect(memberships).toEqual([expect.objectContaining({ orgId: owner.org.id, role: 'VIEWER' })]);

    // a role that is not one of the four is refused, not coerced
    await expectTrpcError(
      caller(owner.user.id).members.changeRole({ orgSlug, userId: invitee.id, role: 'SUPERUSER' } as never),
      'BAD_REQUEST',
    );
  });

  it('forms get field errors', async () => {
    const { owner, ADMIN, orgSlug } = await team();
    const bad = await httpMutation(owner.user.id, 'members.invite', {
      orgSlug,
      email: 'not-an-email',
      role: 'X',
    });
    expect(bad.status).toBe(400);
    expect(bad.fields).toMatchObject({ email: 'Enter a valid email address', role: expect.any(String) });
    const taken = await httpMutation(owner.user.id, 'members.invite', {
      orgSlug,
      email: ADMIN.user.email,
      role: 'VIEWER',
    });
    expect(taken.status).toBe(409);
    expect(taken.fields).toEqual({ email: 'This person is already a member' });
  });

  it('accepting needs the invited email; expired, used and unknown links say so', async () => {
    const { owner, orgSlug } = await team();
    const email = `${uniq('late')}@example.test`;
    await caller(owner.user.id).members.invite({ orgSlug, email, role: 'DEVELOPER' });
    const token = await tokenMailedTo(email);
    const stranger = await seedUser(db, 'stranger');
    const wrong = await expectTrpcError(caller(stranger.id).members.accept({ token }), 'FORBIDDEN');
    expect(wrong.message).toContain(email);

    const invitee = await db.user.create({ data: { email, emailVerified: new Date() } });
    await caller(invitee.id).members.accept({ token });
    expect((await expectTrpcError(caller(invitee.id).members.accept({ token }), 'CONFLICT')).message).toMatch(
      /already been used/,
    );
    expect(
      (await expectTrpcError(caller(invitee.id).members.accept({ token: 'q'.repeat(43) }), 'NOT_FOUND'))
        .message,
    ).toMatch(/not valid/);

    const lateEmail = `${uniq('later')}@example.test`;
    await caller(owner.user.id).members.invite({ orgSlug, email: lateEmail, role: 'VIEWER' });
    const lateToken = await tokenMailedTo(lateEmail);
    await db.invitation.updateMany({
      where: { email: lateEmail },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const late = await db.user.create({ data: { email: lateEmail, emailVerified: new Date() } });
    expect((await caller(late.id).members.invitation({ token: lateToken })).state).toBe('expired');
    expect(
      (await expectTrpcError(caller(late.id).members.accept({ token: lateToken }), 'BAD_REQUEST')).message,
    ).toMatch(/expired/);
  });
});
