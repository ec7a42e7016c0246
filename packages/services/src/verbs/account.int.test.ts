import { DomainError } from '@portcullis/core/errors';
import { getDb } from '@portcullis/db';
import { describe, expect, it } from 'vitest';
import { uniq } from '../../../../test/fixtures.ts';
import { hashPassword, verifyPassword } from '../password.ts';
import { changePassword, endUserSessions, headerUser, signOutEverywhere } from './account.ts';
import { checkCredentials } from './auth.ts';
import { REAUTH_LIMIT } from './email-verification.ts';
import { endSession, liveSessionUser, passwordStamp, startSession } from './sessions.ts';

const db = getDb();
const PASSWORD = 'current-password-1';

async function userWithPassword() {
  return db.user.create({
    data: {
      email: `${uniq('acct')}@example.test`,
      passwordHash: await hashPassword(PASSWORD),
      emailVerified: new Date(),
    },
  });
}

async function expectDomainError(promise: Promise<unknown>, code: DomainError['code']) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe(code);
  return error as DomainError;
}

describe('sessions', () => {
  it('live until ended; an ended or unknown one has no user', async () => {
    const user = await userWithPassword();
    const id = await startSession(db, user.id);
    expect(id).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await liveSessionUser(db, id!)).toBe(user.id);
    await endSession(db, id!);
    expect(await liveSessionUser(db, id!)).toBeNull();
    expect(await liveSessionUser(db, 'no-such-session')).toBeNull();
    const old = await startSession(db, user.id, { now: new Date(Date.now() - 31 * 24 * 3600_000) });
    expect(await liveSessionUser(db, old!)).toBeNull();
  });

  it('a sign-in checked against a password that changed meanwhile gets no session', async () => {
    const user = await userWithPassword();
    const checked = await checkCredentials({ db }, user.email, PASSWORD);
    expect(checked).not.toBeNull();
    // the password changes between the check and the session's start
    await changePassword(
      { db, actor: { id: user.id } },
      { currentPassword: PASSWORD, password: 'next-password-2' },
    );
    expect(await startSession(db, user.id, { passwordStamp: checked!.passwordStamp })).toBeNull();
    expect(await db.userSession.count({ where: { userId: user.id } })).toBe(0);
    const fresh = await checkCredentials({ db }, user.email, 'next-password-2');
    expect(await startSession(db, user.id, { passwordStamp: fresh!.passwordStamp })).not.toBeNull();
  });

  it('a password change landing while a session is being recorded waits for it, then ends it', async () => {
    const user = await userWithPassword();
    const checked = await checkCredentials({ db }, user.email, PASSWORD);
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked = () => {};
    const lockTaken = new Promise<void>((resolve) => {
      locked = resolve;
    });
    // startSession's transaction, held open between its check of the password and its insert
    const recording = db.$transaction(async (tx) => {
      const [row] = await tx.$queryRaw<Array<{ passwordHash: string }>>`
        SELECT "passwordHash" FROM "User" WHERE "id" = ${user.id} FOR SHARE`;
      expect(passwordStamp(row!.passwordHash)).toBe(checked!.passwordStamp);
      locked();
      await held;
      await tx.userSession.create({
        data: { id: uniq('straddling'), userId: user.id, expiresAt: new Date(Date.now() + 3600_000) },
      });
    });
    await lockTaken;
    let changeDone = false;
    const change = changePassword(
      { db, actor: { id: user.id } },
      { currentPassword: PASSWORD, password: 'racing-password-3' },
    ).then((result) => {
      changeDone = true;
      return result;
    });
    // the change has checked the old password and is now waiting on the row the sign-in holds
    await new Promise((r) => setTimeout(r, 1_500));
    expect(changeDone).toBe(false);
    release();
    await recording;
    const { endedSessions } = await change;
    expect(endedSessions).toHaveLength(1);
    expect(await db.userSession.count({ where: { userId: user.id } })).toBe(0);
  });
});

describe('changePassword', () => {
  it('needs the current password, then ends every session and tells the address', async () => {
    const user = await userWithPassword();
    const ctx = { db, actor: { id: user.id } };
    const sessions = [await startSession(db, user.id), await startSession(db, user.id)];
    const wrong = await expectDomainError(
      changePassword(ctx, { currentPassword: 'not-it-0000', password: 'next-password-2' }),
      'BAD_REQUEST',
    );
    expect(wrong.fields).toEqual({ currentPassword: 'This is not your current password' });
    await expectDomainError(
      changePassword(ctx, { currentPassword: PASSWORD, password: PASSWORD }),
      'BAD_REQUEST',
    );

    const { endedSessions } = await changePassword(ctx, {
      currentPassword: PASSWORD,
      password: 'next-password-2',
    });
    expect(new Set(endedSessions)).toEqual(new Set(sessions));
    const row = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(await verifyPassword(row.passwordHash!, 'next-password-2')).toBe(true);
    const notice = await db.mail.findFirstOrThrow({ where: { to: user.email } });
    expect(notice.subject).toMatch(/password was changed/);
    expect(await db.auditLog.count({ where: { actorId: user.id, action: 'user.changePassword' } })).toBe(1);
  });

  it(`checks the current password at most ${REAUTH_LIMIT.limit} times per 15 minutes`, async () => {
    const user = await userWithPassword();
    const ctx = { db, actor: { id: user.id } };
    for (let i = 0; i < REAUTH_LIMIT.limit; i++) {
      await expectDomainError(
        changePassword(ctx, { currentPassword: `guess-${i}-0000`, password: 'next-password-2' }),
        'BAD_REQUEST',
      );
    }
    await expectDomainError(
      changePassword(ctx, { currentPassword: PASSWORD, password: 'next-password-2' }),
      'TOO_MANY_REQUESTS',
    );
  });
});

describe('ending sessions', () => {
  it('sign out everywhere ends only the actor’s sessions', async () => {
    const [me, other] = [await userWithPassword(), await userWithPassword()];
    const mine = await startSession(db, me.id);
    const theirs = await startSession(db, other.id);
    expect((await signOutEverywhere({ db, actor: { id: me.id } })).endedSessions).toEqual([mine]);
    expect(await liveSessionUser(db, theirs!)).toBe(other.id);
  });

  it('an operator ends a user’s sessions by email, with an audit row; an unknown email is a field error', async () => {
    const [admin, user] = [await userWithPassword(), await userWithPassword()];
    const session = await startSession(db, user.id);
    const ctx = { db, actor: { id: admin.id } };
    expect(await endUserSessions(ctx, { email: user.email })).toEqual({
      email: user.email,
      endedSessions: [session],
    });
    expect(
      await db.auditLog.count({
        where: { actorId: admin.id, action: 'admin.endUserSessions', targetId: user.id },
      }),
    ).toBe(1);
    const unknown = await expectDomainError(
      endUserSessions(ctx, { email: `${uniq('nobody')}@example.test` }),
      'BAD_REQUEST',
    );
    expect(unknown.fields).toEqual({ email: 'No account has this address' });
  });
});

describe('headerUser', () => {
  it("is what the signed-in pages' header shows, and null once the account is gone", async () => {
    const user = await userWithPassword();
    expect(await headerUser({ db, actor: { id: user.id } })).toEqual({
      email: user.email,
      isPlatformAdmin: false,
      emailVerified: true,
    });
    await db.user.update({ where: { id: user.id }, data: { emailVerified: null } });
    expect(await headerUser({ db, actor: { id: user.id } })).toMatchObject({ emailVerified: false });
    await db.user.delete({ where: { id: user.id } });
    expect(await headerUser({ db, actor: { id: user.id } })).toBeNull();
  });
});
