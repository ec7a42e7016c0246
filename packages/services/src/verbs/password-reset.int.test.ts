import { randomBytes } from 'node:crypto';
import { DomainError } from '@portcullis/core/errors';
import { getDb } from '@portcullis/db';
import { describe, expect, it } from 'vitest';
import { uniq } from '../../../../test/fixtures.ts';
import { readMailBody } from '../notify-users.ts';
import { hashPassword, verifyPassword } from '../password.ts';
import { hashSecretToken } from './members.ts';
import {
  RESET_REQUESTED_MESSAGE,
  RESET_REQUESTS_PER_HOUR,
  requestPasswordReset,
  resetPassword,
} from './password-reset.ts';
import { startSession } from './sessions.ts';

const db = getDb();
const PUBLIC_URL = 'http://portal.test/';
const MAIL_KEY = randomBytes(32);
const LINKS = { publicUrl: PUBLIC_URL, mailKey: MAIL_KEY };
const NEW_PASSWORD = 'brand-new-password-7';

async function userWithPassword() {
  return db.user.create({
    data: { email: `${uniq('reset')}@example.test`, passwordHash: await hashPassword('old-password-1') },
  });
}

async function mailedTokens(email: string): Promise<string[]> {
  const mails = await db.mail.findMany({ where: { to: email }, orderBy: { createdAt: 'asc' } });
  return mails.map((mail) => {
    const text = readMailBody(mail, MAIL_KEY)?.text ?? '';
    const token = text.match(/http:\/\/portal\.test\/reset-password\/([A-Za-z0-9_-]{43})\n/)?.[1];
    expect(token, text).toBeTruthy();
    return token!;
  });
}

async function expectDomainError(promise: Promise<unknown>, code: DomainError['code']) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe(code);
  return error as DomainError;
}

describe('password reset', () => {
  it('answers the same for unknown emails and sends nothing', async () => {
    const ghost = `${uniq('ghost')}@example.test`;
    const user = await userWithPassword();
    const forGhost = await requestPasswordReset({ db }, { email: ghost }, LINKS);
    const forUser = await requestPasswordReset({ db }, { email: user.email }, LINKS);
    expect(forGhost).toEqual({ message: RESET_REQUESTED_MESSAGE });
    expect(forUser).toEqual(forGhost);
    expect(await db.mail.count({ where: { to: ghost } })).toBe(0);
    expect(await db.mail.count({ where: { to: user.email } })).toBe(1);
  });

  it('stores the hash, expires in an hour, audits without the token', async () => {
    const user = await userWithPassword();
    const now = new Date();
    await requestPasswordReset({ db }, { email: user.email }, { ...LINKS, now });
    const [token] = await mailedTokens(user.email);
    const row = await db.passwordResetToken.findFirstOrThrow({ where: { userId: user.id } });
    expect(row.tokenHash).toBe(hashSecretToken(token!));
    expect(row.expiresAt.getTime() - now.getTime()).toBe(60 * 60 * 1000);
    const audit = await db.auditLog.findFirstOrThrow({
      where: { action: 'user.requestPasswordReset', targetId: row.id },
    });
    expect(audit.actorId).toBeNull();
    expect(JSON.stringify(audit)).not.toContain(token);
    expect(JSON.stringify(audit)).not.toContain(row.tokenHash);
  });

  it('resets once, invalidates the other links and clears the failed sign-ins', async () => {
    const user = await userWithPassword();
    await requestPasswordReset({ db }, { email: user.email }, LINKS);
    await requestPasswordReset({ db }, { email: user.email }, LINKS);
    const [first, second] = await mailedTokens(user.email);
    await db.loginAttempt.create({ data: { email: user.email, ip: '198.18.0.1', succeeded: false } });

    expect(await resetPassword({ db }, { token: second!, password: NEW_PASSWORD })).toEqual({
      email: user.email,
      endedSessions: [],
    });
    const updated = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(updated.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(updated.passwordHash!, NEW_PASSWORD)).toBe(true);
    expect(await verifyPassword(updated.passwordHash!, 'old-password-1')).toBe(false);
    expect(await db.loginAttempt.count({ where: { email: user.email } })).toBe(0);
    expect(await db.auditLog.count({ where: { actorId: user.id, action: 'user.resetPassword' } })).toBe(1);

    const reused = await expectDomainError(
      resetPassword({ db }, { token: second!, password: 'another-one-99' }),
      'BAD_REQUEST',
    );
    expect(reused.message).toMatch(/already been used/);
    const other = await expectDomainError(
      resetPassword({ db }, { token: first!, password: 'another-one-99' }),
      'BAD_REQUEST',
    );
    expect(other.message).toMatch(/already been used/);
    const still = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(still.passwordHash).toBe(updated.passwordHash);
  });

  it('ends every session of the account and counts the address as confirmed', async () => {
    const user = await userWithPassword();
    expect(user.emailVerified).toBeNull();
    const sessions = [await startSession(db, user.id), await startSession(db, user.id)];
    await requestPasswordReset({ db }, { email: user.email }, LINKS);
    const [token] = await mailedTokens(user.email);
    const result = await resetPassword({ db }, { token: token!, password: NEW_PASSWORD });
    expect(new Set(result.endedSessions)).toEqual(new Set(sessions));
    expect(await db.userSession.count({ where: { userId: user.id } })).toBe(0);
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).emailVerified).toBeInstanceOf(Date);
  });

  it('keeps the link out of the stored mail: encrypted, and only until it expires', async () => {
    const user = await userWithPassword();
    const now = new Date();
    await requestPasswordReset({ db }, { email: user.email }, { ...LINKS, now });
    const [token] = await mailedTokens(user.email);
    const stored = await db.mail.findFirstOrThrow({ where: { to: user.email } });
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(stored.secretUntil?.getTime()).toBe(now.getTime() + 60 * 60 * 1000);
  });

  it('refuses expired and unknown links with field errors', async () => {
    const user = await userWithPassword();
    const anHourAgo = new Date(Date.now() - 60 * 60 * 1000 - 1000);
    await requestPasswordReset({ db }, { email: user.email }, { ...LINKS, now: anHourAgo });
    const [token] = await mailedTokens(user.email);
    const expired = await expectDomainError(
      resetPassword({ db }, { token: token!, password: NEW_PASSWORD }),
      'BAD_REQUEST',
    );
    expect(expired.message).toMatch(/expired/);
    expect(expired.fields).toEqual({ token: 'This link has expired' });
    const unknown = await expectDomainError(
      resetPassword({ db }, { token: 'z'.repeat(43), password: NEW_PASSWORD }),
      'BAD_REQUEST',
    );
    expect(unknown.message).toMatch(/not valid/);
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).passwordHash).toBe(
      user.passwordHash,
    );
  });

  it('two concurrent resets with one link: one wins', async () => {
    const user = await userWithPassword();
    await requestPasswordReset({ db }, { email: user.email }, LINKS);
    const [token] = await mailedTokens(user.email);
    const results = await Promise.allSettled([
      resetPassword({ db }, { token: token!, password: 'racer-one-111' }),
      resetPassword({ db }, { token: token!, password: 'racer-two-222' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it(`sends at most ${RESET_REQUESTS_PER_HOUR} mails an hour per account, answering the same`, async () => {
    const user = await userWithPassword();
    for (let i = 0; i < RESET_REQUESTS_PER_HOUR + 2; i++) {
      expect(await requestPasswordReset({ db }, { email: user.email }, LINKS)).toEqual({
        message: RESET_REQUESTED_MESSAGE,
      });
    }
    expect(await db.mail.count({ where: { to: user.email } })).toBe(RESET_REQUESTS_PER_HOUR);
  });
});
