import { badRequest, notFound, tooManyRequests } from '@portcullis/core/errors';
import { ZEmail } from '@portcullis/core/schemas';
import type { Db, Tx } from '@portcullis/db';
import { z } from 'zod';
import { queueMail } from '../notify-users.ts';
import { verifyPassword } from '../password.ts';
import { type ActorCtx, inTransaction, writeAudit } from './context.ts';
import { generateSecretToken, hashSecretToken } from './secret-tokens.ts';
import { type ThrottleRule, takeThrottle } from './throttle.ts';

/**
 * An address is an account's only once a link mailed to it has been followed. Until then the account
 * (`User.emailVerified` null) can sign in and use its own organizations, but nothing trusts the address:
 * it cannot accept invitations (which are addressed to an email) and OAuth sign-ins with that email take
 * the account over instead of joining it. A new address (a change) replaces the old one only when its
 * link is followed, so an account never holds an address it has not proven.
 */

export const VERIFICATION_TTL_MS = 24 * 60 * 60 * 1000;
/** Verification mails per account (sign-up and resends, address changes). */
export const VERIFICATION_MAIL_LIMIT: ThrottleRule = { limit: 5, windowMs: 60 * 60_000 };
/** Password checks behind account settings (address and password changes) per account. */
export const REAUTH_LIMIT: ThrottleRule = { limit: 5, windowMs: 15 * 60_000 };

export interface LinkMailOptions {
  /** the portal's public origin, for the links in mails */
  publicUrl: string;
  /** PORTCULLIS_ENCRYPTION_KEY: mails carrying links are stored encrypted with it */
  mailKey: Buffer;
  now?: Date;
}

export const ZEmailVerification = z.object({ token: z.string().trim().min(20).max(128) });
export const ZEmailChange = z.object({
  email: ZEmail,
  currentPassword: z.string().min(1, 'Enter your current password').max(200),
});

type Purpose = 'signUp' | 'change';

/** "Someone tried to use your address" notices per address, so the form cannot bomb a mailbox. */
const ADDRESS_NOTICE_LIMIT: ThrottleRule = { limit: 3, windowMs: 60 * 60_000 };

/**
 * Tells the owner of `email` that someone tried to register it (or move an account to it). Sent at most
 * ADDRESS_NOTICE_LIMIT times an hour per address; beyond that, silently nothing.
 */
export async function noticeAddressInUse(
  db: Db | Tx,
  email: string,
  options: { publicUrl: string; now?: Date },
): Promise<void> {
  const allowed = await takeThrottle(db, `address-notice:${email}`, ADDRESS_NOTICE_LIMIT, options.now);
  if (!allowed.ok) return;
  const base = options.publicUrl.replace(/\/+$/, '');
  await queueMail(db, {
    to: email,
    subject: 'Someone tried to register your address on Portcullis',
    text: [
      'Someone tried to create a Portcullis account with this address, which already has one.',
      '',
      `If it was you, sign in: ${base}/signin`,
      `Forgot your password? ${base}/forgot-password`,
      '',
      'If it was not you, ignore this mail: nothing changed on your account.',
    ].join('\n'),
  });
}

/** Issues a link proving `email` for `userId` and queues it; earlier open links of the account stop working. */
export async function issueEmailVerification(
  tx: Tx,
  target: { userId: string; email: string; purpose: Purpose },
  options: LinkMailOptions,
): Promise<void> {
  const now = options.now ?? new Date();
  const allowed = await takeThrottle(tx, `verify-mail:${target.userId}`, VERIFICATION_MAIL_LIMIT, now);
  if (!allowed.ok) {
    throw tooManyRequests(
      `Too many confirmation mails. Try again in ${Math.ceil(allowed.retryAfterSeconds / 60)} min.`,
    );
  }
  await tx.emailVerificationToken.updateMany({
    where: { userId: target.userId, usedAt: null },
    data: { usedAt: now },
  });
  const token = generateSecretToken();
  const expiresAt = new Date(now.getTime() + VERIFICATION_TTL_MS);
  await tx.emailVerificationToken.create({
    data: { userId: target.userId, email: target.email, tokenHash: hashSecretToken(token), expiresAt },
  });
  const link = `${options.publicUrl.replace(/\/+$/, '')}/verify-email/${token}`;
  const intro =
    target.purpose === 'signUp'
      ? 'Confirm that this address is yours to finish setting up your Portcullis account.'
      : 'Confirm this address to make it the new address of your Portcullis account.';
  await queueMail(
    tx,
    {
      to: target.email,
      subject: 'Confirm your email address for Portcullis',
      text: [
        intro,
        '',
        `Confirm the address: ${link}`,
        '',
        'The link works once and expires in 24 hours. If you did not ask for this, ignore this mail.',
      ].join('\n'),
    },
    { key: options.mailKey, until: expiresAt },
  );
}

const INVALID_LINK = 'This confirmation link is not valid. Ask for a new one from your account page.';

/**
 * Follows a verification link: the address becomes the account's, confirmed. Needs no session (the link
 * is the proof); a link for an address the account no longer has, or now taken by another account, is
 * refused.
 */
export async function verifyEmail(
  ctx: { db: Db },
  input: z.infer<typeof ZEmailVerification>,
  now = new Date(),
): Promise<{ email: string }> {
  return inTransaction(ctx.db, async (tx) => {
    const token = await tx.emailVerificationToken.findUnique({
      where: { tokenHash: hashSecretToken(input.token) },
      select: { id: true, userId: true, email: true, expiresAt: true, usedAt: true },
    });
    if (!token) throw badRequest(INVALID_LINK, { token: INVALID_LINK });
    const user = await tx.user.findUnique({
      where: { id: token.userId },
      select: { id: true, email: true, emailVerified: true },
    });
    if (!user) throw badRequest(INVALID_LINK, { token: INVALID_LINK });
    // A second click on a link that did its work is not an error.
    if (token.usedAt && user.email === token.email && user.emailVerified) return { email: user.email };
    if (token.usedAt) throw badRequest('This confirmation link has already been used or replaced.');
    if (token.expiresAt <= now) throw badRequest('This confirmation link has expired. Ask for a new one.');
    const claimed = await tx.emailVerificationToken.updateMany({
      where: { id: token.id, usedAt: null },
      data: { usedAt: now },
    });
    if (claimed.count !== 1) throw badRequest('This confirmation link has already been used or replaced.');
    const changing = user.email !== token.email;
    if (changing) {
      const holder = await tx.user.findUnique({ where: { email: token.email }, select: { id: true } });
      if (holder) throw badRequest('This address now belongs to another account.');
      // Reset links went to the old address; they must not act on the new one.
      await tx.passwordResetToken.updateMany({
        where: { userId: user.id, usedAt: null },
        data: { usedAt: now },
      });
      await queueMail(tx, {
        to: user.email,
        subject: 'The address of your Portcullis account changed',
        text: [
          `Your Portcullis account now uses ${token.email} instead of this address.`,
          '',
          'If you did not do this, reset your password through the new address or ask the platform administrator.',
        ].join('\n'),
      });
    }
    await tx.user.update({
      where: { id: user.id },
      data: { email: token.email, emailVerified: now },
    });
    await writeAudit(tx, user, {
      orgId: null,
      action: changing ? 'user.changeEmail' : 'user.verifyEmail',
      targetType: 'User',
      targetId: user.id,
      ...(changing ? { before: { email: user.email } } : {}),
      after: { email: token.email, tokenId: token.id },
    });
    return { email: token.email };
  });
}

/** Sends the signed-in account a new link for its current address (nothing when already confirmed). */
export async function resendEmailVerification(
  ctx: ActorCtx & { db: Db },
  options: LinkMailOptions,
): Promise<{ sent: boolean; email: string }> {
  const user = await ctx.db.user.findUnique({
    where: { id: ctx.actor.id },
    select: { id: true, email: true, emailVerified: true },
  });
  if (!user) throw notFound('Account');
  if (user.emailVerified) return { sent: false, email: user.email };
  await inTransaction(ctx.db, (tx) =>
    issueEmailVerification(tx, { userId: user.id, email: user.email, purpose: 'signUp' }, options),
  );
  return { sent: true, email: user.email };
}

/** Checks the actor's current password, at most REAUTH_LIMIT times per 15 minutes. */
export async function confirmCurrentPassword(
  db: Db,
  userId: string,
  password: string,
  now = new Date(),
): Promise<{ email: string; passwordHash: string }> {
  const allowed = await takeThrottle(db, `reauth:${userId}`, REAUTH_LIMIT, now);
  if (!allowed.ok) {
    throw tooManyRequests(
      `Too many password checks. Try again in ${Math.ceil(allowed.retryAfterSeconds / 60)} min.`,
    );
  }
  const user = await db.user.findUnique({
    where: { id: userId },
    select: { email: true, passwordHash: true },
  });
  if (!user) throw notFound('Account');
  if (!user.passwordHash) {
    throw badRequest('Your account has no password yet: set one with "Forgot password" first.');
  }
  if (!(await verifyPassword(user.passwordHash, password))) {
    throw badRequest('Your current password is not right', {
      currentPassword: 'This is not your current password',
    });
  }
  return { email: user.email, passwordHash: user.passwordHash };
}

const emailChangeMessage = (email: string) =>
  `We sent a link to ${email}. Your address changes once you follow it.`;

/**
 * Asks to move the account to a new address: a link goes to that address, and the account keeps its
 * current one until it is followed. An address that already has an account gets the same answer (its
 * owner is told instead).
 */
export async function requestEmailChange(
  ctx: ActorCtx & { db: Db },
  input: z.infer<typeof ZEmailChange>,
  options: LinkMailOptions,
): Promise<{ message: string }> {
  const current = await confirmCurrentPassword(ctx.db, ctx.actor.id, input.currentPassword, options.now);
  if (current.email === input.email) {
    throw badRequest('This is already your address', { email: 'This is already your address' });
  }
  const holder = await ctx.db.user.findUnique({ where: { email: input.email }, select: { id: true } });
  if (holder) {
    await noticeAddressInUse(ctx.db, input.email, options);
  } else {
    await inTransaction(ctx.db, (tx) =>
      issueEmailVerification(tx, { userId: ctx.actor.id, email: input.email, purpose: 'change' }, options),
    );
  }
  return { message: emailChangeMessage(input.email) };
}
