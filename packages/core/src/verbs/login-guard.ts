import { isIP } from 'node:net';
import type { Db, Tx } from '@portcullis/db';
import { type PublicUser, verifyCredentials } from './auth.ts';
import { inTransaction, isUniqueViolation, lockKey, writeAudit } from './context.ts';

/**
 * Sign-in hardening: a brute-force guard over LoginAttempt rows, and linking of OAuth sign-ins to
 * accounts by verified email.
 *
 * Account (the email as typed, whether or not it has an account, so unknown users are throttled exactly
 * like real ones): the failures since its last successful sign-in, within the last hour. From the 5th on,
 * the next attempt waits 60 s after the latest failure, doubling with each further failure (at most
 * 15 min): at most 5 failures a minute, then exponential backoff.
 * IP: 20 failures within a minute lock it for 60 s after the latest one, doubling for every further 20
 * failures in the hour (at most 15 min); successes do not reset it, so one valid account does not
 * launder a spray over many accounts.
 * While locked an attempt is refused before the password is checked and is not recorded.
 */
export const LOGIN_LIMITS = {
  accountFailures: 5,
  ipFailuresPerMinute: 20,
  baseLockMs: 60_000,
  maxLockMs: 15 * 60_000,
  memoryMs: 60 * 60_000,
  /** rows older than this are deleted, opportunistically */
  keepMs: 24 * 60 * 60_000,
  pruneEveryMs: 10 * 60_000,
} as const;

const MINUTE_MS = 60_000;

const lockMs = (doublings: number) =>
  Math.min(LOGIN_LIMITS.baseLockMs * 2 ** Math.max(0, doublings), LOGIN_LIMITS.maxLockMs);

/** How long the account stays locked; `failures` newest first, only those after its last success. */
export function accountLockRemainingMs(failures: Date[], now: Date): number {
  const latest = failures[0];
  if (!latest || failures.length < LOGIN_LIMITS.accountFailures) return 0;
  const until = latest.getTime() + lockMs(failures.length - LOGIN_LIMITS.accountFailures);
  return Math.max(0, until - now.getTime());
}

export interface IpFailures {
  lastMinute: number;
  lastHour: number;
  latest: Date | null;
}

export function ipLockRemainingMs(ip: IpFailures, now: Date): number {
  if (!ip.latest || ip.lastMinute < LOGIN_LIMITS.ipFailuresPerMinute) return 0;
  const doublings = Math.floor(ip.lastHour / LOGIN_LIMITS.ipFailuresPerMinute) - 1;
  return Math.max(0, ip.latest.getTime() + lockMs(doublings) - now.getTime());
}

/**
 * The client address from X-Forwarded-For: the entry `trustedProxies` places from the right, the
 * right-most when no proxy is trusted. Next.js only fills the header when it is absent, so a directly
 * exposed portal lets a client pick its IP key; the account limit does not depend on it.
 */
export function clientIpFromForwardedFor(header: string | null | undefined, trustedProxies = 0): string {
  const hops = (header ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const candidate = hops[Math.max(0, hops.length - 1 - trustedProxies)];
  if (!candidate) return 'unknown';
  const bare = candidate.replace(/^\[([^\]]+)\](?::\d+)?$/, '$1').replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, '$1');
  const address = bare.startsWith('::ffff:') && isIP(bare.slice(7)) === 4 ? bare.slice(7) : bare;
  return isIP(address) ? address.toLowerCase() : 'unknown';
}

export type SignInOutcome =
  | { ok: true; user: PublicUser }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

export const throttledMessage = (seconds: number) => `Too many sign-in attempts. Try again in ${seconds} s.`;

async function lockRemainingMs(tx: Tx, email: string, ip: string, now: Date): Promise<number> {
  const since = new Date(now.getTime() - LOGIN_LIMITS.memoryMs);
  const lastSuccess = await tx.loginAttempt.findFirst({
    where: { email, succeeded: true, at: { gt: since } },
    orderBy: { at: 'desc' },
    select: { at: true },
  });
  const accountFailures = await tx.loginAttempt.findMany({
    where: { email, succeeded: false, at: { gt: lastSuccess?.at ?? since } },
    orderBy: { at: 'desc' },
    // enough rows to reach the longest lock
    take: LOGIN_LIMITS.accountFailures + 8,
    select: { at: true },
  });
  const [lastMinute, lastHour, latest] = await Promise.all([
    tx.loginAttempt.count({
      where: { ip, succeeded: false, at: { gt: new Date(now.getTime() - MINUTE_MS) } },
    }),
    tx.loginAttempt.count({ where: { ip, succeeded: false, at: { gt: since } } }),
    tx.loginAttempt.findFirst({
      where: { ip, succeeded: false, at: { gt: since } },
      orderBy: { at: 'desc' },
      select: { at: true },
    }),
  ]);
  return Math.max(
    accountLockRemainingMs(
      accountFailures.map((row) => row.at),
      now,
    ),
    ipLockRemainingMs({ lastMinute, lastHour, latest: latest?.at ?? null }, now),
  );
}

let lastPruneAt = 0;

/** Deletes attempts older than a day. */
export async function pruneLoginAttempts(db: Db | Tx, now = new Date()): Promise<number> {
  lastPruneAt = now.getTime();
  const { count } = await db.loginAttempt.deleteMany({
    where: { at: { lt: new Date(now.getTime() - LOGIN_LIMITS.keepMs) } },
  });
  return count;
}

/**
 * Checks email + password behind the guard. Unknown email and wrong password give the same outcome; the
 * attempt is recorded as a failure before the (slow) password check, so a burst of parallel guesses
 * sees its own earlier members and cannot slip past the limit.
 */
export async function guardedSignIn(
  ctx: { db: Db },
  input: { email: string; password: string; ip: string },
  now = new Date(),
): Promise<SignInOutcome> {
  const email = input.email.trim().toLowerCase();
  const ip = input.ip || 'unknown';
  const admitted = await ctx.db.$transaction(async (tx) => {
    // Always account first, then IP: one fixed order, so two attempts cannot deadlock.
    await lockKey(tx, `login-account:${email}`);
    await lockKey(tx, `login-ip:${ip}`);
    const remaining = await lockRemainingMs(tx, email, ip, now);
    if (remaining > 0) return { locked: true as const, retryAfterSeconds: Math.ceil(remaining / 1000) };
    const attempt = await tx.loginAttempt.create({
      data: { email, ip, succeeded: false, at: now },
      select: { id: true },
    });
    return { locked: false as const, attemptId: attempt.id };
  });
  if (admitted.locked) {
    return { ok: false, reason: 'throttled', retryAfterSeconds: admitted.retryAfterSeconds };
  }
  const user = await verifyCredentials(ctx, email, input.password);
  if (user)
    await ctx.db.loginAttempt.update({ where: { id: admitted.attemptId }, data: { succeeded: true } });
  if (now.getTime() - lastPruneAt > LOGIN_LIMITS.pruneEveryMs) {
    // Housekeeping must never fail a sign-in.
    await pruneLoginAttempts(ctx.db, now).catch(() => undefined);
  }
  return user ? { ok: true, user } : { ok: false, reason: 'invalid' };
}

// ───────────── OAuth ─────────────

export interface OAuthIdentity {
  provider: string;
  providerAccountId: string;
  email: string | null | undefined;
  /** the provider vouches that the person controls this address */
  emailVerified: boolean;
  name?: string | null;
  image?: string | null;
}

/**
 * The local user for an OAuth sign-in: the one already linked to this provider account; else, only when
 * the provider verified the email, the user with that email (linked now) or a new one. An unverified
 * email never links, or anyone could claim an account by naming its address at some provider.
 */
export async function signInWithOAuth(ctx: { db: Db }, identity: OAuthIdentity): Promise<PublicUser | null> {
  const linked = await ctx.db.account.findUnique({
    where: {
      provider_providerAccountId: {
        provider: identity.provider,
        providerAccountId: identity.providerAccountId,
      },
    },
    select: { user: { select: { id: true, email: true, name: true } } },
  });
  if (linked) return linked.user;
  const email = identity.email?.trim().toLowerCase();
  if (!email || !identity.emailVerified) return null;
  try {
    return await inTransaction(ctx.db, async (tx) => {
      const existing = await tx.user.findUnique({
        where: { email },
        select: { id: true, email: true, name: true },
      });
      const user =
        existing ??
        (await tx.user.create({
          data: {
            email,
            name: identity.name ?? null,
            image: identity.image ?? null,
            emailVerified: new Date(),
          },
          select: { id: true, email: true, name: true },
        }));
      await tx.account.create({
        data: {
          userId: user.id,
          type: 'oauth',
          provider: identity.provider,
          providerAccountId: identity.providerAccountId,
        },
      });
      await writeAudit(tx, user, {
        orgId: null,
        action: existing ? 'user.linkOAuth' : 'user.signUp',
        targetType: 'User',
        targetId: user.id,
        after: { provider: identity.provider },
      });
      return user;
    });
  } catch (error) {
    // The same first sign-in racing in two tabs: the loser finds what the winner linked.
    if (!isUniqueViolation(error)) throw error;
    const account = await ctx.db.account.findUnique({
      where: {
        provider_providerAccountId: {
          provider: identity.provider,
          providerAccountId: identity.providerAccountId,
        },
      },
      select: { user: { select: { id: true, email: true, name: true } } },
    });
    return account?.user ?? null;
  }
}
