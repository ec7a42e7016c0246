import type { Db } from '@portcullis/db';
import { liveSessionUser } from '@portcullis/services/verbs/sessions';

/**
 * Whether a session cookie's session is still live, asked on every request that reads the session.
 *
 * A live answer is reused for at most SESSION_CHECK_TTL_MS, so a session ended in another portal
 * process is refused here within that bound; one ended in this process is dropped from the cache at
 * once (`forgetSessions`). An ended session never comes back, so that answer is kept (bounded count).
 * The cache lives on globalThis: Next.js bundles route handlers and pages separately, and they must
 * all see one cache per process.
 */
export const SESSION_CHECK_TTL_MS = 2_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  userId: string | null;
  checkedAt: number;
}

const processGlobal = globalThis as unknown as { portcullisSessionCache?: Map<string, Entry> };
processGlobal.portcullisSessionCache ??= new Map<string, Entry>();
const cache = processGlobal.portcullisSessionCache;

function remember(sessionId: string, entry: Entry): void {
  if (cache.size >= MAX_ENTRIES) {
    // Maps iterate in insertion order: drop the oldest tenth.
    let drop = Math.ceil(MAX_ENTRIES / 10);
    for (const key of cache.keys()) {
      cache.delete(key);
      if (--drop === 0) break;
    }
  }
  cache.delete(sessionId);
  cache.set(sessionId, entry);
}

/** The session's user when it is live and belongs to `userId`; false otherwise. */
export async function isSessionLive(db: Db, sessionId: string, userId: string): Promise<boolean> {
  const now = Date.now();
  const cached = cache.get(sessionId);
  if (cached && (cached.userId === null || now - cached.checkedAt < SESSION_CHECK_TTL_MS)) {
    return cached.userId === userId;
  }
  const owner = await liveSessionUser(db, sessionId);
  remember(sessionId, { userId: owner, checkedAt: now });
  return owner === userId;
}

/** Sessions this process just ended: refused from the next request on. */
export function forgetSessions(sessionIds: readonly string[]): void {
  const now = Date.now();
  for (const id of sessionIds) remember(id, { userId: null, checkedAt: now });
}
