import { z } from 'zod';

/**
 * The "try it" console's server side: the portal forwards one request to the gateway on the
 * developer's behalf. Why a proxy rather than a browser call: the gateway's CORS policy is per API and
 * off by default, so a browser call would fail for most APIs. What keeps it from being an open proxy
 * (SSRF): the target is always the configured gateway origin and always under `/{org}/{api}/` of an API
 * the signed-in viewer can see; the path cannot climb out of it; redirects are returned, never followed;
 * hop-by-hop, identity and forwarding headers cannot be set; sizes and time are bounded. The key is
 * used for this one request and never stored or logged.
 */

const TRY_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
export const MAX_TRY_BODY_BYTES = 256 * 1024;
export const MAX_TRY_RESPONSE_BYTES = 512 * 1024;
export const TRY_TIMEOUT_MS = 15_000;

const ZPair = z.tuple([z.string().max(200), z.string().max(4000)]);

export const ZTryRequest = z.object({
  method: z.enum(TRY_METHODS),
  /** the operation path with its parameters filled in: `/pets/42` */
  path: z.string().max(2048),
  query: z.array(ZPair).max(50).default([]),
  headers: z.array(ZPair).max(30).default([]),
  body: z.string().max(MAX_TRY_BODY_BYTES, 'The body is too large for the console').nullable().default(null),
  key: z.string().trim().min(1, 'Paste one of your API keys').max(200),
});
export type TryRequest = z.output<typeof ZTryRequest>;

/** Headers the console never lets a user set: the gateway decides identity, framing and forwarding. */
const FORBIDDEN_HEADERS = new Set([
  'host',
  'authorization',
  'x-api-key',
  'cookie',
  'connection',
  'content-length',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'keep-alive',
  'expect',
  'forwarded',
  'x-real-ip',
  'x-request-id',
  'via',
]);
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;
const FORBIDDEN_PREFIXES = ['x-forwarded-', 'proxy-', 'sec-'];

export function allowedHeaderName(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    HEADER_NAME.test(name) &&
    !FORBIDDEN_HEADERS.has(lower) &&
    !FORBIDDEN_PREFIXES.some((prefix) => lower.startsWith(prefix))
  );
}

export type TargetResult = { ok: true; url: URL } | { ok: false; error: string };

/**
 * The gateway URL for a console request, or why there is none. `gatewayBase` is the configured gateway
 * (GATEWAY_PUBLIC_URL, possibly with a base path); the result is guaranteed to stay on its origin and
 * under `/{org}/{api}/`.
 */
export function gatewayTarget(
  gatewayBase: string,
  orgSlug: string,
  apiSlug: string,
  path: string,
  query: ReadonlyArray<readonly [string, string]>,
): TargetResult {
  const gateway = new URL(gatewayBase);
  if (gateway.protocol !== 'http:' && gateway.protocol !== 'https:') {
    return { ok: false, error: 'The gateway URL is not http(s)' };
  }
  if (!/^[a-z0-9-]+$/.test(orgSlug) || !/^[a-z0-9-]+$/.test(apiSlug))
    return { ok: false, error: 'Unknown API' };
  const rest = path === '' ? '/' : path;
  if (!rest.startsWith('/') || rest.startsWith('//'))
    return { ok: false, error: 'The path must start with one /' };
  // Anything a URL parser could read as leaving the API's prefix, or as another URL part.
  if (/[\\?#\s\0]|%2f|%5c|%00/i.test(rest))
    return { ok: false, error: 'The path contains characters it may not' };
  if (/(^|\/)(\.|%2e){1,2}(\/|$)/i.test(rest))
    return { ok: false, error: 'The path may not contain . or .. segments' };
  const prefix = `${gateway.pathname.replace(/\/+$/, '')}/${orgSlug}/${apiSlug}`;
  const url = new URL(gateway.origin);
  url.pathname = `${prefix}${rest}`;
  const search = new URLSearchParams();
  for (const [name, value] of query) if (name) search.append(name, value);
  url.search = search.toString();
  // Belt and braces: whatever the parsing did, the result must still be the gateway and the prefix.
  if (url.origin !== gateway.origin || !(url.pathname === prefix || url.pathname.startsWith(`${prefix}/`))) {
    return { ok: false, error: 'The path leaves this API' };
  }
  return { ok: true, url };
}

/** The headers sent to the gateway: the user's allowed ones, the key as a bearer token, no cookies. */
export function forwardedHeaders(request: TryRequest): Headers {
  const headers = new Headers();
  for (const [name, value] of request.headers) {
    if (allowedHeaderName(name) && !/[\r\n\0]/.test(value)) headers.append(name, value);
  }
  headers.set('authorization', `Bearer ${request.key}`);
  if (request.body !== null && !headers.has('content-type')) headers.set('content-type', 'application/json');
  headers.set('user-agent', 'portcullis-try-it');
  return headers;
}

/**
 * The console may only be driven from the portal's own pages: a cross-site form or script posting here
 * would otherwise spend a victim's session. Browsers send Origin on every POST from fetch.
 */
export function sameOrigin(request: Request): boolean {
  const origin = request.headers.get('origin');
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
  const fetchSite = request.headers.get('sec-fetch-site');
  if (fetchSite && fetchSite !== 'same-origin') return false;
  if (!origin || !host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** Reads at most `limit` bytes of a body; says whether there was more. */
export async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<{ text: string; truncated: boolean; bytes: number }> {
  if (!body) return { text: '', truncated: false, bytes: 0 };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (bytes + value.byteLength > limit) {
      chunks.push(value.subarray(0, limit - bytes));
      bytes = limit;
      truncated = true;
      await reader.cancel();
      break;
    }
    chunks.push(value);
    bytes += value.byteLength;
  }
  return { text: new TextDecoder().decode(Buffer.concat(chunks)), truncated, bytes };
}
