import { createHash, sign } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { CREDENTIALS_REJECTED, openAIError, ProviderAuthError } from '../../errors.ts';
import { readCapped } from '../../upstream.ts';
import { asNumber, asString, isRecord } from '../shared.ts';
import type { AuthorizeContext, ProviderCredential } from '../types.ts';
import { parseServiceAccountKey, type ServiceAccountKey } from './service-account.ts';

/*
 * OAuth 2.0 for service accounts ("two-legged", RFC 7523): a JWT signed with the key's RS256 private key,
 * exchanged at the key's token_uri for an access token that is sent as `Authorization: Bearer`. Tokens
 * are cached per dispatcher (the gateway has one per org, so a cache entry never serves another tenant
 * and a token endpoint is only ever reached through its own org's SSRF guard) and per key, refreshed
 * five minutes before they expire; concurrent calls share one refresh.
 */

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const JWT_LIFETIME_S = 3600;
const REFRESH_MARGIN_MS = 5 * 60_000;
const TOKEN_TIMEOUT_MS = 30_000;
const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;
const MAX_ENTRIES_PER_DISPATCHER = 1000;

interface CachedToken {
  key: ServiceAccountKey;
  token: string | null;
  expiresAt: number;
  refreshing: Promise<void> | null;
}

const caches = new WeakMap<Dispatcher, Map<string, CachedToken>>();

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** The signed assertion a token request carries (exported for tests). */
export function signAssertion(key: ServiceAccountKey, nowMs: number = Date.now()): string {
  const iat = Math.floor(nowMs / 1000);
  const header = { alg: 'RS256', typ: 'JWT', ...(key.privateKeyId ? { kid: key.privateKeyId } : {}) };
  const claims = {
    iss: key.clientEmail,
    scope: CLOUD_PLATFORM_SCOPE,
    aud: key.tokenUri,
    iat,
    exp: iat + JWT_LIFETIME_S,
  };
  const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  return `${unsigned}.${base64url(sign('sha256', Buffer.from(unsigned), key.privateKey))}`;
}

function rejected(status: number | null, message: string, retryable: boolean): ProviderAuthError {
  return new ProviderAuthError({
    status: 502,
    body: openAIError(message, 'server_error', null, CREDENTIALS_REJECTED),
    retryable,
    retryAfterMs: null,
    upstreamStatus: status,
  });
}

async function fetchToken(key: ServiceAccountKey, dispatcher: Dispatcher) {
  const url = new URL(key.tokenUri);
  const response = await dispatcher.request({
    origin: url.origin,
    path: url.pathname + url.search,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: signAssertion(key),
    }).toString(),
    signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
  });
  // Past the cap the cut-off text does not parse: the token endpoint's answer is refused as unreadable.
  const { text } = await readCapped(response, MAX_TOKEN_RESPONSE_BYTES);
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // judged by the status below
  }
  const body = isRecord(json) ? json : {};
  if (response.statusCode < 200 || response.statusCode >= 300) {
    if (response.statusCode === 429 || response.statusCode >= 500) {
      throw new ProviderAuthError({
        status: 502,
        body: openAIError(
          `Google's token endpoint failed (HTTP ${response.statusCode}); try again shortly.`,
          'server_error',
          null,
          'upstream_auth_unavailable',
        ),
        retryable: true,
        retryAfterMs: null,
        upstreamStatus: response.statusCode,
      });
    }
    // Only the OAuth error code is passed on ("invalid_grant"): descriptions are free text.
    const code = asString(body.error);
    const reason = code && /^[a-z_]{1,40}$/.test(code) ? `, ${code}` : '';
    throw rejected(
      response.statusCode,
      `Google refused the gateway's service-account key for this model (HTTP ${response.statusCode}${reason}); the API's owner has to renew or correct it.`,
      false,
    );
  }
  const token = asString(body.access_token);
  // Google issues hour-long tokens; an endpoint claiming more is not believed past a day.
  const expiresIn = Math.min(Math.max(asNumber(body.expires_in) ?? 3600, 0), 86_400);
  if (!token)
    throw rejected(response.statusCode, 'The token endpoint answered without an access token.', true);
  return { token, expiresAt: Date.now() + expiresIn * 1000 };
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const abortError = () => Object.assign(new Error('The request was cancelled.'), { code: 'ABORT_ERR' });

function entryFor(credential: ProviderCredential, dispatcher: Dispatcher): CachedToken {
  let cache = caches.get(dispatcher);
  if (!cache) {
    cache = new Map();
    caches.set(dispatcher, cache);
  }
  const id = createHash('sha256').update(credential.apiKey).digest('base64url');
  let entry = cache.get(id);
  if (entry) return entry;
  const parsed = parseServiceAccountKey(credential.apiKey);
  if (!parsed.ok)
    throw rejected(
      null,
      `The Vertex AI credential is not a usable service-account key: ${parsed.message}`,
      false,
    );
  entry = { key: parsed.key, token: null, expiresAt: 0, refreshing: null };
  if (cache.size >= MAX_ENTRIES_PER_DISPATCHER) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(id, entry);
  return entry;
}

/** A valid access token for the credential's service account: cached, or fetched once for all waiters. */
export async function accessToken(
  credential: ProviderCredential,
  context: AuthorizeContext,
): Promise<string> {
  const entry = entryFor(credential, context.dispatcher);
  if (entry.token && Date.now() < entry.expiresAt - REFRESH_MARGIN_MS) return entry.token;
  entry.refreshing ??= fetchToken(entry.key, context.dispatcher)
    .then((fresh) => {
      entry.token = fresh.token;
      entry.expiresAt = fresh.expiresAt;
    })
    .finally(() => {
      entry.refreshing = null;
    });
  try {
    await abortable(entry.refreshing, context.signal);
  } catch (error) {
    // A failed early refresh leaves the old token usable until it really expires.
    if (!context.signal.aborted && entry.token && Date.now() < entry.expiresAt) return entry.token;
    throw error;
  }
  if (!entry.token) throw rejected(null, 'No access token could be obtained for the service account.', true);
  return entry.token;
}

/**
 * Forgets the cached token of the credential when it is still `token` (the one a provider refused with
 * 401, revoked before its expiry); a token refreshed meanwhile is kept.
 */
export function forgetToken(credential: ProviderCredential, dispatcher: Dispatcher, token: string): void {
  const id = createHash('sha256').update(credential.apiKey).digest('base64url');
  const entry = caches.get(dispatcher)?.get(id);
  if (entry?.token !== token) return;
  entry.token = null;
  entry.expiresAt = 0;
}
