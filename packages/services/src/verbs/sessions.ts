import { hash, randomBytes } from 'node:crypto';
import type { Db, Tx } from '@portcullis/db';

/**
 * Signed-in sessions. The session cookie is a JWT (signed and encrypted by next-auth), which by itself
 * stays valid until it expires; each one therefore names a UserSession row, and a cookie whose row is
 * gone is refused. Ending a session is deleting its row: signing out ends one, a password change or
 * reset and "sign out everywhere" end all of the user's.
 */

/** The longest a session lasts from sign-in, however active (the cookie's own expiry rolls). */
const SESSION_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

const PRUNE_EVERY_MS = 10 * 60_000;
let lastPruneAt = 0;

/** Names the password hash a sign-in was checked against, without carrying the hash around. */
export function passwordStamp(passwordHash: string | null): string {
  return hash('sha256', `password-stamp:${passwordHash ?? ''}`, 'hex').slice(0, 32);
}

/**
 * A new session for `userId`; the returned id goes into the session cookie. With `passwordStamp` (a
 * password sign-in) the session starts only if the password is still the one that was checked: a
 * sign-in with the old password that straddles a password change or reset (which end every session in
 * the transaction that changes the hash) gets null instead of a session that outlives the change.
 */
export async function startSession(
  db: Db,
  userId: string,
  options: { passwordStamp?: string; now?: Date } = {},
): Promise<string | null> {
  const now = options.now ?? new Date();
  const id = randomBytes(24).toString('base64url');
  const started = await db.$transaction(async (tx) => {
    if (options.passwordStamp !== undefined) {
      // FOR SHARE: a concurrent password change waits for this insert, then deletes it with the rest.
      const [user] = await tx.$queryRaw<Array<{ passwordHash: string | null }>>`
        SELECT "passwordHash" FROM "User" WHERE "id" = ${userId} FOR SHARE`;
      if (!user || passwordStamp(user.passwordHash) !== options.passwordStamp) return false;
    }
    await tx.userSession.create({
      data: { id, userId, createdAt: now, expiresAt: new Date(now.getTime() + SESSION_MAX_AGE_MS) },
    });
    return true;
  });
  if (!started) return null;
  if (now.getTime() - lastPruneAt > PRUNE_EVERY_MS) {
    lastPruneAt = now.getTime();
    // Housekeeping must never fail a sign-in.
    await db.userSession.deleteMany({ where: { expiresAt: { lt: now } } }).catch(() => undefined);
  }
  return id;
}

/** The user of a live session, or null when it was ended or has expired. */
export async function liveSessionUser(db: Db | Tx, id: string, now = new Date()): Promise<string | null> {
  const row = await db.userSession.findUnique({ where: { id }, select: { userId: true, expiresAt: true } });
  return row && row.expiresAt > now ? row.userId : null;
}

export async function endSession(db: Db | Tx, id: string): Promise<void> {
  await db.userSession.deleteMany({ where: { id } });
}

/** Ends every session of the user; returns their ids (for caches that hold them). */
export async function endAllSessions(db: Db | Tx, userId: string): Promise<string[]> {
  // One statement: a session started meanwhile is either deleted here or starts after, never missed.
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    DELETE FROM "UserSession" WHERE "userId" = ${userId} RETURNING "id"`;
  return rows.map((r) => r.id);
}
