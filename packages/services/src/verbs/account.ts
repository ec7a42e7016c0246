import { badRequest, notFound } from '@portcullis/core/errors';
import { ZEmail, ZPassword } from '@portcullis/core/schemas';
import type { Db } from '@portcullis/db';
import { z } from 'zod';
import { queueMail } from '../notify-users.ts';
import { hashPassword } from '../password.ts';
import { type ActorCtx, inTransaction, writeAudit } from './context.ts';
import { confirmCurrentPassword } from './email-verification.ts';
import { endAllSessions } from './sessions.ts';

/** The signed-in user's own account: profile, password, sessions; and the operator's session reset. */

export const ZPasswordChange = z.object({
  currentPassword: z.string().min(1, 'Enter your current password').max(200),
  password: ZPassword,
});
export const ZUserByEmail = z.object({ email: ZEmail });

export async function accountProfile(ctx: ActorCtx) {
  const user = await ctx.db.user.findUnique({
    where: { id: ctx.actor.id },
    select: {
      id: true,
      email: true,
      name: true,
      emailVerified: true,
      passwordHash: true,
      _count: { select: { signIns: true } },
    },
  });
  if (!user) throw notFound('Account');
  const pendingChange = await ctx.db.emailVerificationToken.findFirst({
    where: { userId: user.id, usedAt: null, expiresAt: { gt: new Date() }, email: { not: user.email } },
    orderBy: { createdAt: 'desc' },
    select: { email: true },
  });
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    emailVerified: user.emailVerified !== null,
    hasPassword: user.passwordHash !== null,
    sessions: user._count.signIns,
    pendingEmail: pendingChange?.email ?? null,
  };
}

/** What the signed-in pages' header shows of the user; null when the account no longer exists. */
export async function headerUser(
  ctx: ActorCtx,
): Promise<{ email: string; isPlatformAdmin: boolean; emailVerified: boolean } | null> {
  const user = await ctx.db.user.findUnique({
    where: { id: ctx.actor.id },
    select: { email: true, isPlatformAdmin: true, emailVerified: true },
  });
  return user && { ...user, emailVerified: user.emailVerified !== null };
}

/**
 * Changes the password after checking the current one, and ends every session of the account, this
 * one included (the page signs in again with the new password): whoever held a session or the old
 * password is out.
 */
export async function changePassword(
  ctx: ActorCtx & { db: Db },
  input: z.infer<typeof ZPasswordChange>,
): Promise<{ endedSessions: string[] }> {
  const current = await confirmCurrentPassword(ctx.db, ctx.actor.id, input.currentPassword);
  if (input.password === input.currentPassword) {
    throw badRequest('Choose a password you have not used here', {
      password: 'The new password is the current one',
    });
  }
  const passwordHash = await hashPassword(input.password);
  return inTransaction(ctx.db, async (tx) => {
    // Only if nobody changed it meanwhile: the sessions ended below are those of the checked password.
    const changed = await tx.user.updateMany({
      where: { id: ctx.actor.id, passwordHash: current.passwordHash },
      data: { passwordHash },
    });
    if (changed.count !== 1) throw badRequest('Your password was changed meanwhile. Sign in again.');
    const endedSessions = await endAllSessions(tx, ctx.actor.id);
    await tx.loginAttempt.deleteMany({ where: { email: current.email, succeeded: false } });
    await writeAudit(tx, ctx.actor, {
      orgId: null,
      action: 'user.changePassword',
      targetType: 'User',
      targetId: ctx.actor.id,
      after: { endedSessions: endedSessions.length },
    });
    await queueMail(tx, {
      to: current.email,
      subject: 'Your Portcullis password was changed',
      text: [
        'The password of your Portcullis account was just changed, and every session was signed out.',
        '',
        'If you did not do this, reset your password with "Forgot password" on the sign-in page.',
      ].join('\n'),
    });
    return { endedSessions };
  });
}

/** "Sign out everywhere": ends every session of the actor's account, this one included. */
export async function signOutEverywhere(ctx: ActorCtx & { db: Db }): Promise<{ endedSessions: string[] }> {
  return inTransaction(ctx.db, async (tx) => {
    const endedSessions = await endAllSessions(tx, ctx.actor.id);
    await writeAudit(tx, ctx.actor, {
      orgId: null,
      action: 'user.signOutEverywhere',
      targetType: 'User',
      targetId: ctx.actor.id,
      after: { endedSessions: endedSessions.length },
    });
    return { endedSessions };
  });
}

/** A platform administrator ends every session of the user with `email` (the router checks the role). */
export async function endUserSessions(
  ctx: ActorCtx & { db: Db },
  input: z.infer<typeof ZUserByEmail>,
): Promise<{ email: string; endedSessions: string[] }> {
  return inTransaction(ctx.db, async (tx) => {
    const user = await tx.user.findUnique({ where: { email: input.email }, select: { id: true } });
    if (!user) throw badRequest('No account has this address', { email: 'No account has this address' });
    const endedSessions = await endAllSessions(tx, user.id);
    await writeAudit(tx, ctx.actor, {
      orgId: null,
      action: 'admin.endUserSessions',
      targetType: 'User',
      targetId: user.id,
      after: { email: input.email, endedSessions: endedSessions.length },
    });
    return { email: input.email, endedSessions };
  });
}
