import { tooManyRequests } from '@portcullis/core/errors';
import type { SignUpInput } from '@portcullis/core/schemas';
import type { Db, Tx } from '@portcullis/db';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../password.ts';
import { inTransaction, isUniqueViolation, writeAudit } from './context.ts';
import { issueEmailVerification, type LinkMailOptions, noticeAddressInUse } from './email-verification.ts';
import { passwordStamp } from './sessions.ts';
import { type ThrottleRule, takeThrottle } from './throttle.ts';

export interface PublicUser {
  id: string;
  email: string;
  name: string | null;
}

/**
 * Sign-ups per client address and hour (the portal's PORTAL_SIGN_UPS_PER_HOUR); refused sign-ups
 * answer 429 whether or not the email is registered.
 */
export const SIGN_UP_LIMIT: ThrottleRule = { limit: 10, windowMs: 60 * 60_000 };
export const SIGN_UP_MESSAGE =
  'Check your inbox: we sent a mail to that address. Follow its link to confirm the address is yours.';

const minutes = (seconds: number) => Math.max(1, Math.ceil(seconds / 60));

/**
 * Registers a password account, unconfirmed until the link mailed to the address is followed. The
 * answer is the same whether or not the address already has an account (whose owner is told instead),
 * so the form does not say who is registered. `clientIp` (null for server-side callers) is limited to
 * `perHour` (default SIGN_UP_LIMIT) sign-ups an hour.
 */
export async function signUp(
  ctx: { db: Db },
  input: SignUpInput,
  options: LinkMailOptions & { clientIp: string | null; perHour?: number },
): Promise<{ message: string }> {
  const now = options.now ?? new Date();
  if (options.clientIp !== null) {
    const rule = { ...SIGN_UP_LIMIT, limit: options.perHour ?? SIGN_UP_LIMIT.limit };
    const allowed = await takeThrottle(ctx.db, `signup-ip:${options.clientIp}`, rule, now);
    if (!allowed.ok) {
      throw tooManyRequests(
        `Too many sign-ups from your network. Try again in ${minutes(allowed.retryAfterSeconds)} min.`,
      );
    }
  }
  const answer = { message: SIGN_UP_MESSAGE };
  // Hashed before looking the address up: both answers cost the same argon2 work.
  const passwordHash = await hashPassword(input.password);
  const existing = await ctx.db.user.findUnique({ where: { email: input.email }, select: { id: true } });
  if (existing) {
    await noticeAddressInUse(ctx.db, input.email, { ...options, now });
    return answer;
  }
  try {
    await inTransaction(ctx.db, async (tx) => {
      const user = await tx.user.create({
        data: { email: input.email, name: input.name, passwordHash },
        select: { id: true, email: true, name: true },
      });
      await writeAudit(tx, user, {
        orgId: null,
        action: 'user.signUp',
        targetType: 'User',
        targetId: user.id,
      });
      await issueEmailVerification(tx, { userId: user.id, email: user.email, purpose: 'signUp' }, options);
    });
  } catch (error) {
    // Two sign-ups racing for one address: the unique index decides; the loser's answer is the same.
    if (!isUniqueViolation(error)) throw error;
  }
  return answer;
}

/**
 * Checks an email + password pair. Unknown users cost the same argon2 work as wrong passwords, so
 * response time does not reveal which emails have accounts. `passwordStamp` names the hash checked.
 */
export async function checkCredentials(
  ctx: { db: Db | Tx },
  email: string,
  password: string,
): Promise<{ user: PublicUser; passwordStamp: string } | null> {
  const user = await ctx.db.user.findUnique({
    where: { email: email.trim().toLowerCase() },
    select: { id: true, email: true, name: true, passwordHash: true },
  });
  if (!user?.passwordHash) {
    await verifyPassword(await DUMMY_PASSWORD_HASH, password);
    return null;
  }
  if (!(await verifyPassword(user.passwordHash, password))) return null;
  return {
    user: { id: user.id, email: user.email, name: user.name },
    passwordStamp: passwordStamp(user.passwordHash),
  };
}

export async function verifyCredentials(
  ctx: { db: Db | Tx },
  email: string,
  password: string,
): Promise<PublicUser | null> {
  return (await checkCredentials(ctx, email, password))?.user ?? null;
}
