import { isIP } from 'node:net';
import type { Db, Tx } from '@portcullis/db';
import { checkCredentials, type PublicUser } from './auth.ts';
import { inTransaction, isUniqueViolation, lockKey, writeAudit } from './context.ts';
import { endAllSessions } from './sessions.ts';

/**
 * Sign-in hardening: a brute-force guard over LoginAttempt rows, and linking of OAuth sign-ins to
 * accounts by verified email.
 *
 * Account × client (the email as typed, whether or not it has an account, so unknown users are throttled
 * exactly like real ones, from one client address): the failures since that client's last successful
 * sign-in to it, within the last hour. From the 5th on, the next attempt from that client waits 60 s
 * after the latest failure, doubling with each further failure (at most 15 min). Failures never lock the
 * account itself: someone guessing from one address cannot keep its owner, signing in from another
 * address, out (the lock would otherwise be renewable forever by anyone who knows the email).
 * IP: 20 failures within a minute lock it for 60 s after the latest one, doubling for every further 20
 * failures in the hour (at most 15 min); successes do not reset it, so one valid account does not
 * launder a spray over many accounts.
 * While locked an attempt is refused before the password is checked and is not recorded.
 * What an attacker gets: about 10 guesses an hour per account and client address, and at most 20 a
 * minute per address across accounts; N addresses get N times that.
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

/** How long (account, client) stays locked; `failures` newest first, only those after its last success. */
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

/** One address as the limits key it: IPv4-mapped IPv6 unwrapped, brackets and ports dropped. */
function normalizeIp(text: string | null | undefined): string {
  const candidate = text?.trim();
  if (!candidate) return 'unknown';
  const bare = candidate.replace(/^\[([^\]]+)\](?::\d+)?$/, '$1').replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, '$1');
  const address = bare.startsWith('::ffff:') && isIP(bare.slice(7)) === 4 ? bare.slice(7) : bare;
  return isIP(address) ? address.toLowerCase() : 'unknown';
}

/**
 * The client's address: the socket peer when no proxy is trusted (any X-Forwarded-For is the client's
 * own words then); behind `trustedProxies` proxies, each appending the address it received from, the
 * entry that many places left of the peer in `X-Forwarded-For, peer`. A chain shorter than that (a
 * request that skipped the proxies) falls back to its left-most entry.
 */
export function clientAddress(
  peer: string | null | undefined,
  forwardedFor: string | null | undefined,
  trustedProxies = 0,
): string {
  if (trustedProxies <= 0) return normalizeIp(peer);
  const hops = (forwardedFor ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const chain = [...hops, peer ?? ''];
  return normalizeIp(chain[Math.max(0, chain.length - 1 - trustedProxies)]);
}

export type SignInOutcome =
  | { ok: true; user: PublicUser; passwordStamp: string }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

export const throttledMessage = (seconds: number) => `Too many sign-in attempts. Try again in ${seconds} s.`;

async function lockRemainingMs(tx: Tx, email: string, ip: string, now: Date): Promise<number> {
  const since = new Date(now.getTime() - LOGIN_LIMITS.memoryMs);
  const lastSuccess = await tx.loginAttempt.findFirst({
    where: { email, ip, succeeded: true, at: { gt: since } },
    orderBy: { at: 'desc' },
    select: { at: true },
  });
  const accountFailures = await tx.loginAttempt.findMany({
    where: { email, ip, succeeded: false, at: { gt: lastSuccess?.at ?? since } },
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
  const checked = await checkCredentials(ctx, email, input.password);
  if (checked)
    await ctx.db.loginAttempt.update({ where: { id: admitted.attemptId }, data: { succeeded: true } });
  if (now.getTime() - lastPruneAt > LOGIN_LIMITS.pruneEveryMs) {
    // Housekeeping must never fail a sign-in.
    await pruneLoginAttempts(ctx.db, now).catch(() => undefined);
  }
  return checked
    ? { ok: true, user: checked.user, passwordStamp: checked.passwordStamp }
    : { ok: false, reason: 'invalid' };
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
 * email never links, or anyone could claim an account by naming its address at some provider. An
 * existing account whose address was never confirmed is taken over rather than joined: whoever
 * registered it proved nothing, so its password is removed and its sessions end (otherwise registering
 * someone's address ahead of them would keep a way into the account they later sign in to).
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
      const found = await tx.user.findUnique({
        where: { email },
        select: { id: true, email: true, name: true, emailVerified: true },
      });
      const existing: PublicUser | null = found && { id: found.id, email: found.email, name: found.name };
      if (found && !found.emailVerified) {
        await tx.user.update({
          where: { id: found.id },
          data: { emailVerified: new Date(), passwordHash: null },
        });
        const ended = await endAllSessions(tx, found.id);
        await writeAudit(tx, found, {
          orgId: null,
          action: 'user.claimUnverified',
          targetType: 'User',
          targetId: found.id,
          after: { provider: identity.provider, endedSessions: ended.length },
        });
      }
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
