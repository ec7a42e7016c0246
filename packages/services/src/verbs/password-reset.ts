import { badRequest } from '@portcullis/core/errors';
import { ZEmail, ZPassword } from '@portcullis/core/schemas';
import type { Db, Tx } from '@portcullis/db';
import { z } from 'zod';
import { queueMail } from '../notify-users.ts';
import { hashPassword } from '../password.ts';
import { inTransaction, writeAudit } from './context.ts';
import type { LinkMailOptions } from './email-verification.ts';
import { generateSecretToken, hashSecretToken } from './secret-tokens.ts';
import { endAllSessions } from './sessions.ts';

/**
 * Password reset by emailed link. The request answers the same whether or not the email has an account,
 * so the form cannot be used to find out who is registered.
 */

const RESET_TOKEN_TTL_MS = 60 * 60 * 1000;
/** More requests than this per account and hour are answered as usual but send nothing (no mail bombing). */
export const RESET_REQUESTS_PER_HOUR = 3;
export const RESET_REQUESTED_MESSAGE =
  'If an account exists for that email, we sent a link to reset its password. It expires in 1 hour.';

export const ZPasswordResetRequest = z.object({ email: ZEmail });
export const ZPasswordResetConfirm = z.object({
  token: z.string().trim().min(20).max(128),
  password: ZPassword,
});

export async function requestPasswordReset(
  ctx: { db: Db | Tx },
  input: z.infer<typeof ZPasswordResetRequest>,
  options: LinkMailOptions,
): Promise<{ message: string }> {
  const now = options.now ?? new Date();
  const answer = { message: RESET_REQUESTED_MESSAGE };
  const user = await ctx.db.user.findUnique({ where: { email: input.email }, select: { id: true } });
  if (!user) return answer;
  await inTransaction(ctx.db, async (tx) => {
    const recent = await tx.passwordResetToken.count({
      where: { userId: user.id, createdAt: { gt: new Date(now.getTime() - 60 * 60 * 1000) } },
    });
    if (recent >= RESET_REQUESTS_PER_HOUR) return;
    const token = generateSecretToken();
    const expiresAt = new Date(now.getTime() + RESET_TOKEN_TTL_MS);
    const row = await tx.passwordResetToken.create({
      data: { userId: user.id, tokenHash: hashSecretToken(token), expiresAt, createdAt: now },
      select: { id: true },
    });
    const link = `${options.publicUrl.replace(/\/+$/, '')}/reset-password/${token}`;
    await queueMail(
      tx,
      {
        to: input.email,
        subject: 'Reset your Portcullis password',
        text: [
          'Someone asked to reset the password of your Portcullis account.',
          '',
          `Choose a new password: ${link}`,
          '',
          'The link works once and expires in 1 hour. If it was not you, ignore this mail: your password stays as it is.',
        ].join('\n'),
      },
      { key: options.mailKey, until: expiresAt },
    );
    // Anyone can ask for a reset, so nobody is named as the actor.
    await tx.auditLog.create({
      data: {
        orgId: null,
        actorId: null,
        action: 'user.requestPasswordReset',
        targetType: 'PasswordResetToken',
        targetId: row.id,
        after: { userId: user.id, expiresAt: new Date(now.getTime() + RESET_TOKEN_TTL_MS).toISOString() },
      },
    });
  });
  return answer;
}

const INVALID_LINK = 'This reset link is not valid. Ask for a new one.';

/**
 * Sets a new password with a reset token: single use, and every other open token of the account stops
 * working. Every session of the account ends (whoever had the old password or a session is out), the
 * address counts as confirmed (the link was mailed to it), and failed sign-ins of the account are
 * forgotten, so the owner is not left throttled.
 */
export async function resetPassword(
  ctx: { db: Db | Tx },
  input: z.infer<typeof ZPasswordResetConfirm>,
  now = new Date(),
): Promise<{ email: string; endedSessions: string[] }> {
  const tokenHash = hashSecretToken(input.token);
  const token = await ctx.db.passwordResetToken.findUnique({
    where: { tokenHash },
    select: { id: true, userId: true, expiresAt: true, usedAt: true },
  });
  if (!token) throw badRequest(INVALID_LINK, { token: INVALID_LINK });
  if (token.usedAt) {
    throw badRequest('This reset link has already been used. Ask for a new one.', {
      token: 'This link has already been used',
    });
  }
  if (token.expiresAt <= now) {
    throw badRequest('This reset link has expired. Ask for a new one.', { token: 'This link has expired' });
  }
  // argon2 is deliberately slow: hash before the transaction so it holds no locks meanwhile.
  const passwordHash = await hashPassword(input.password);
  return inTransaction(ctx.db, async (tx) => {
    const claimed = await tx.passwordResetToken.updateMany({
      where: { id: token.id, usedAt: null },
      data: { usedAt: now },
    });
    if (claimed.count !== 1) {
      throw badRequest('This reset link has already been used. Ask for a new one.', {
        token: 'This link has already been used',
      });
    }
    const before = await tx.user.findUniqueOrThrow({
      where: { id: token.userId },
      select: { emailVerified: true },
    });
    const user = await tx.user.update({
      where: { id: token.userId },
      data: { passwordHash, ...(before.emailVerified ? {} : { emailVerified: now }) },
      select: { id: true, email: true },
    });
    const endedSessions = await endAllSessions(tx, user.id);
    await tx.passwordResetToken.updateMany({
      where: { userId: user.id, usedAt: null },
      data: { usedAt: now },
    });
    await tx.loginAttempt.deleteMany({ where: { email: user.email, succeeded: false } });
    // The token proves the account holder acts.
    await writeAudit(tx, user, {
      orgId: null,
      action: 'user.resetPassword',
      targetType: 'User',
      targetId: user.id,
      after: { tokenId: token.id, endedSessions: endedSessions.length },
    });
    return { email: user.email, endedSessions };
  });
}
