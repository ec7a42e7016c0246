import type { IncomingHttpHeaders } from 'node:http';
import { hashApiKey, looksLikeApiKey } from '@portcullis/core/keys';
import type { ConfigCache } from '../config/config-cache.ts';
import type { KeyRecord } from '../config/repository.ts';
import { type GatewayProblem, problem } from '../http/problem.ts';
import { err, ok, type Result } from '../result.ts';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** The presented key: `Authorization: Bearer <key>` first, then `x-api-key`; null when neither is sent. */
export function extractApiKey(headers: IncomingHttpHeaders): string | null {
  const bearer = headers.authorization ? BEARER.exec(headers.authorization)?.[1] : undefined;
  if (bearer) return bearer;
  const header = headers['x-api-key'];
  const value = Array.isArray(header) ? header[0] : header;
  return value?.trim() || null;
}

export async function verifyKey(
  cache: ConfigCache,
  headers: IncomingHttpHeaders,
  nowMs: number,
): Promise<Result<KeyRecord, GatewayProblem>> {
  const presented = extractApiKey(headers);
  if (!presented) {
    return err(problem('key_missing', 'Send your API key as "Authorization: Bearer <key>" or "x-api-key".'));
  }
  // Garbage never reaches the cache or the database.
  if (!looksLikeApiKey(presented)) return err(problem('key_invalid', 'The API key is not valid.'));
  const key = await cache.key(hashApiKey(presented));
  if (!key) return err(problem('key_invalid', 'The API key is not valid.'));
  if (key.revokedAt !== null && key.revokedAt <= nowMs)
    return err(problem('key_revoked', 'The API key was revoked.'));
  if (key.expiresAt !== null && key.expiresAt <= nowMs) {
    return err(problem('key_expired', `The API key expired at ${new Date(key.expiresAt).toISOString()}.`));
  }
  return ok(key);
}
