import { getDb } from '@portcullis/db';
import { hashPassword } from '@portcullis/services/password';
import { hashSecretToken } from '@portcullis/services/verbs/members';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOrg, uniq } from '../../../../../test/fixtures';
import { SESSION_CHECK_TTL_MS } from '../session-check';
import { Client, type PortalServer, startPortal } from '../test/portal-server';

/**
 * A copied session cookie (stolen, or left in a backup) stops working within seconds of the session
 * ending: sign-out, password reset or change, "sign out everywhere" (own or by an operator); a removed
 * member's cookie no longer opens that org. Against the running portal, cookies replayed from another
 * client address.
 */
const db = getDb();
const PASSWORD = 'right-password-42';
const passwordHash = await hashPassword(PASSWORD);

let portal: PortalServer;
beforeAll(async () => {
  portal = await startPortal();
}, 300_000);
afterAll(async () => {
  await portal?.stop();
});

let nextAddress = 60;
const address = () => `127.0.0.${nextAddress++}`;

async function signedIn(options: { admin?: boolean } = {}) {
  const user = await db.user.create({
    data: {
      email: `${uniq('holder')}@example.test`,
      passwordHash,
      emailVerified: new Date(),
      isPlatformAdmin: options.admin ?? false,
    },
  });
  const owner = new Client(portal, address());
  expect(await owner.signIn(user.email, PASSWORD)).toBe('ok');
  const thief = owner.copy(address());
  expect((await thief.query('auth.me')).data).toMatchObject({ id: user.id });
  return { user, owner, thief };
}

/** The replayed cookie's answer until it is refused, at most `boundMs` after `since`. */
async function refusedWithin(thief: Client, boundMs: number): Promise<number> {
  const since = Date.now();
  for (;;) {
    if ((await thief.query('auth.me')).data === null) return Date.now() - since;
    if (Date.now() - since > boundMs) throw new Error(`the copied cookie still worked after ${boundMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a copied session cookie', () => {
  it('is refused after its owner signs out', async () => {
    const { owner, thief } = await signedIn();
    await owner.signOut();
    expect(owner.sessionCookies().size).toBe(0);
    expect((await thief.query('auth.me')).data).toBeNull();
    expect((await thief.query('account.profile')).status).toBe(401);
  });

  it('is refused after a password reset, and the old password no longer signs in', async () => {
    const { user, thief } = await signedIn();
    const token = uniq('reset-token-0123456789abcdef');
    await db.passwordResetToken.create({
      data: {
        userId: user.id,
        tokenHash: hashSecretToken(token),
        expiresAt: new Date(Date.now() + 3600_000),
      },
    });
    const reset = await new Client(portal, address()).mutate('account.resetPassword', {
      token,
      password: 'fresh-password-77',
    });
    expect(reset).toMatchObject({ status: 200, data: { email: user.email } });
    expect((await thief.query('auth.me')).data).toBeNull();
    expect(await thief.signIn(user.email, PASSWORD)).toBe('credentials');
  });

  it('is refused after a password change, which ends the changing session too', async () => {
    const { user, owner, thief } = await signedIn();
    const changed = await owner.mutate('account.changePassword', {
      currentPassword: PASSWORD,
      password: 'changed-password-88',
    });
    expect(changed.status).toBe(200);
    expect((await thief.query('auth.me')).data).toBeNull();
    expect((await owner.query('auth.me')).data).toBeNull();
    expect(await owner.signIn(user.email, 'changed-password-88')).toBe('ok');
  });

  it('is refused after "sign out everywhere"', async () => {
    const { user, owner, thief } = await signedIn();
    const second = new Client(portal, address());
    expect(await second.signIn(user.email, PASSWORD)).toBe('ok');
    expect((await owner.mutate('account.signOutEverywhere')).status).toBe(200);
    for (const client of [thief, owner, second]) expect((await client.query('auth.me')).data).toBeNull();
  });

  it('is refused after a platform administrator ends the user’s sessions', async () => {
    const { user, thief } = await signedIn();
    const { owner: admin } = await signedIn({ admin: true });
    const notAdmin = await thief.mutate('account.endUserSessions', { email: user.email });
    expect(notAdmin.status).toBe(403);
    const ended = await admin.mutate('account.endUserSessions', { email: user.email });
    expect(ended).toMatchObject({ status: 200, data: { endedSessions: 1 } });
    expect((await thief.query('auth.me')).data).toBeNull();
  });

  it(`is refused within ${SESSION_CHECK_TTL_MS} ms when another portal process ended the session`, async () => {
    const { user, thief } = await signedIn();
    // what a sign-out served by another process leaves behind: the row gone, this process's cache warm
    await db.userSession.deleteMany({ where: { userId: user.id } });
    const took = await refusedWithin(thief, SESSION_CHECK_TTL_MS + 1_500);
    expect(took).toBeLessThanOrEqual(SESSION_CHECK_TTL_MS + 1_500);
  });

  it('of a removed member no longer opens that org, while their other orgs still do', async () => {
    const { user, thief } = await signedIn();
    const manager = await signedIn();
    const team = await seedOrg(db, manager.user.id, 'OWNER', 'team');
    await db.membership.create({ data: { orgId: team.id, userId: user.id, role: 'DEVELOPER' } });
    const own = await seedOrg(db, user.id, 'OWNER', 'own');
    expect((await thief.query('org.get', { orgSlug: team.slug })).status).toBe(200);
    const removed = await manager.owner.mutate('members.remove', { orgSlug: team.slug, userId: user.id });
    expect(removed.status).toBe(200);
    expect((await thief.query('org.get', { orgSlug: team.slug })).status).toBe(404);
    expect((await thief.query('org.get', { orgSlug: own.slug })).status).toBe(200);
  });
});
