import { randomBytes } from 'node:crypto';
import { DomainError } from '@portcullis/core/errors';
import { getDb } from '@portcullis/db';
import { describe, expect, it } from 'vitest';
import { newestMailText, uniq } from '../../../../test/fixtures.ts';
import { hashPassword } from '../password.ts';
import { SIGN_UP_LIMIT, SIGN_UP_MESSAGE, signUp } from './auth.ts';
import {
  requestEmailChange,
  resendEmailVerification,
  VERIFICATION_MAIL_LIMIT,
  VERIFICATION_TTL_MS,
  verifyEmail,
} from './email-verification.ts';
import { hashSecretToken } from './members.ts';

const db = getDb();
const PUBLIC_URL = 'http://portal.test';
const MAIL_KEY = randomBytes(32);
const LINKS = { publicUrl: PUBLIC_URL, mailKey: MAIL_KEY };
const PASSWORD = 'chosen-password-1';

async function expectDomainError(promise: Promise<unknown>, code: DomainError['code']) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe(code);
  return error as DomainError;
}

async function linkTo(email: string): Promise<string> {
  const text = await newestMailText(db, email, MAIL_KEY);
  const token = text.match(/\/verify-email\/([A-Za-z0-9_-]{43})/)?.[1];
  expect(token, text).toBeTruthy();
  return token!;
}

async function signedUp(label = 'new') {
  const email = `${uniq(label)}@example.test`;
  await signUp({ db }, { name: label, email, password: PASSWORD }, { ...LINKS, clientIp: null });
  return db.user.findUniqueOrThrow({ where: { email } });
}

describe('signUp', () => {
  it('creates an unconfirmed account and mails a link, stored encrypted and only as a hash', async () => {
    const user = await signedUp();
    expect(user.emailVerified).toBeNull();
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    const token = await linkTo(user.email);
    const stored = await db.mail.findFirstOrThrow({ where: { to: user.email } });
    expect(JSON.stringify(stored)).not.toContain(token);
    const row = await db.emailVerificationToken.findFirstOrThrow({ where: { userId: user.id } });
    expect(row.tokenHash).toBe(hashSecretToken(token));
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBeCloseTo(VERIFICATION_TTL_MS, -3);
  });

  it('answers a taken address like a free one, and leaves its account alone', async () => {
    const owner = await db.user.create({
      data: { email: `${uniq('taken')}@example.test`, passwordHash: await hashPassword('owner-pass-1') },
    });
    const answer = await signUp(
      { db },
      { name: 'Mallory', email: owner.email, password: PASSWORD },
      { ...LINKS, clientIp: null },
    );
    expect(answer).toEqual({ message: SIGN_UP_MESSAGE });
    expect((await db.user.findUniqueOrThrow({ where: { id: owner.id } })).passwordHash).toBe(
      owner.passwordHash,
    );
    expect(await newestMailText(db, owner.email, MAIL_KEY)).toMatch(/already has one/);
    expect(await db.emailVerificationToken.count({ where: { userId: owner.id } })).toBe(0);
  });

  it(`refuses the ${SIGN_UP_LIMIT.limit + 1}th sign-up from one client address within the hour`, async () => {
    const ip = `198.18.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    for (let i = 0; i < SIGN_UP_LIMIT.limit; i++) {
      await signUp(
        { db },
        { name: 'n', email: `${uniq('n')}@example.test`, password: PASSWORD },
        { ...LINKS, clientIp: ip },
      );
    }
    const refused = await expectDomainError(
      signUp(
        { db },
        { name: 'n', email: `${uniq('n')}@example.test`, password: PASSWORD },
        { ...LINKS, clientIp: ip },
      ),
      'TOO_MANY_REQUESTS',
    );
    expect(refused.message).toMatch(/Try again in \d+ min/);
  });
});

describe('verifyEmail', () => {
  it('confirms the address once; a second click is no error; an unknown link is', async () => {
    const user = await signedUp();
    const token = await linkTo(user.email);
    expect(await verifyEmail({ db }, { token })).toEqual({ email: user.email });
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).emailVerified).toBeInstanceOf(Date);
    expect(await verifyEmail({ db }, { token })).toEqual({ email: user.email });
    await expectDomainError(verifyEmail({ db }, { token: 'q'.repeat(43) }), 'BAD_REQUEST');
    expect(await db.auditLog.count({ where: { actorId: user.id, action: 'user.verifyEmail' } })).toBe(1);
  });

  it('refuses an expired link, and one replaced by a newer mail', async () => {
    const user = await signedUp();
    const first = await linkTo(user.email);
    await new Promise((r) => setTimeout(r, 5));
    await resendEmailVerification({ db, actor: { id: user.id } }, LINKS);
    const second = await linkTo(user.email);
    expect(second).not.toBe(first);
    const replaced = await expectDomainError(verifyEmail({ db }, { token: first }), 'BAD_REQUEST');
    expect(replaced.message).toMatch(/already been used or replaced/);
    const late = new Date(Date.now() + VERIFICATION_TTL_MS + 1000);
    const expired = await expectDomainError(verifyEmail({ db }, { token: second }, late), 'BAD_REQUEST');
    expect(expired.message).toMatch(/expired/);
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).emailVerified).toBeNull();
  });

  it(`sends at most ${VERIFICATION_MAIL_LIMIT.limit} confirmation mails an hour per account`, async () => {
    const user = await signedUp();
    for (let i = 1; i < VERIFICATION_MAIL_LIMIT.limit; i++) {
      expect(await resendEmailVerification({ db, actor: { id: user.id } }, LINKS)).toEqual({
        sent: true,
        email: user.email,
      });
    }
    await expectDomainError(
      resendEmailVerification({ db, actor: { id: user.id } }, LINKS),
      'TOO_MANY_REQUESTS',
    );
  });
});

describe('changing the address', () => {
  it('keeps the old address until the new one is confirmed, then switches and tells the old one', async () => {
    const user = await signedUp('mover');
    await verifyEmail({ db }, { token: await linkTo(user.email) });
    const next = `${uniq('moved')}@example.test`;
    const ctx = { db, actor: { id: user.id } };
    const wrong = await expectDomainError(
      requestEmailChange(ctx, { email: next, currentPassword: 'not-it-0000' }, LINKS),
      'BAD_REQUEST',
    );
    expect(wrong.fields).toEqual({ currentPassword: 'This is not your current password' });
    await requestEmailChange(ctx, { email: next, currentPassword: PASSWORD }, LINKS);
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).email).toBe(user.email);
    expect(await verifyEmail({ db }, { token: await linkTo(next) })).toEqual({ email: next });
    const moved = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(moved.email).toBe(next);
    expect(moved.emailVerified).toBeInstanceOf(Date);
    expect(await newestMailText(db, user.email, MAIL_KEY)).toContain(`now uses ${next}`);
  });

  it('to an address that has an account: the same answer, no link, and that owner is told', async () => {
    const user = await signedUp('mover');
    const holder = await signedUp('holder');
    const answer = await requestEmailChange(
      { db, actor: { id: user.id } },
      { email: holder.email, currentPassword: PASSWORD },
      LINKS,
    );
    expect(answer.message).toContain(holder.email);
    expect(await db.emailVerificationToken.count({ where: { email: holder.email, userId: user.id } })).toBe(
      0,
    );
    expect(await newestMailText(db, holder.email, MAIL_KEY)).toMatch(/already has one/);
  });

  it('a link for an address taken since is refused and changes nothing', async () => {
    const user = await signedUp('mover');
    const next = `${uniq('contested')}@example.test`;
    await requestEmailChange(
      { db, actor: { id: user.id } },
      { email: next, currentPassword: PASSWORD },
      LINKS,
    );
    const token = await linkTo(next);
    await db.user.create({ data: { email: next } });
    await expectDomainError(verifyEmail({ db }, { token }), 'BAD_REQUEST');
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).email).toBe(user.email);
  });
});
