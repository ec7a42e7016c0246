import { hashApiKey } from '@portcullis/core/keys';
import type { Db } from '@portcullis/db';
import { type ResolvedApiToken, resolveApiToken, touchApiToken } from '@portcullis/services/verbs/api-tokens';

/**
 * Bearer token → the live token. Answers are cached for at most one second, so a revoked or expired
 * token (or a creator who left the org) is refused within a second on every portal instance.
 */
const CACHE_TTL_MS = 1000;
const CACHE_MAX = 1000;
const TOUCH_EVERY_MS = 60_000;

const cache = new Map<string, { token: ResolvedApiToken | null; until: number }>();
const lastTouch = new Map<string, number>();

export function bearerOf(request: Request): string | null {
  const header = request.headers.get('authorization');
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1] ?? null;
}

export async function authenticate(
  db: Db,
  plaintext: string,
  now = Date.now(),
): Promise<ResolvedApiToken | null> {
  // Keyed by the hash: the process keeps no plaintext secret around.
  const key = hashApiKey(plaintext);
  const cached = cache.get(key);
  let token: ResolvedApiToken | null;
  if (cached && cached.until > now) {
    token = cached.token;
  } else {
    token = await resolveApiToken(db, plaintext, new Date(now));
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(key, { token, until: now + CACHE_TTL_MS });
  }
  if (token && now - (lastTouch.get(token.id) ?? 0) >= TOUCH_EVERY_MS) {
    lastTouch.set(token.id, now);
    if (lastTouch.size > CACHE_MAX) lastTouch.clear();
    // Bookkeeping only: a failed stamp must not fail the request.
    touchApiToken(db, token.id, new Date(now), TOUCH_EVERY_MS).catch(() => {});
  }
  return token;
}
