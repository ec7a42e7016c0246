/**
 * The "try it" console's server side: the portal forwards one request to the gateway on the
 * developer's behalf. The API reference's client sends it here the way it sends to any proxy: the
 * request as it would go to the gateway (method, headers, body), the gateway URL in `scalar_url`. Why a proxy rather than a browser call: the gateway's CORS policy is per API and
 * off by default, so a browser call would fail for most APIs. What keeps it from being an open proxy
 * (SSRF): the target is always the configured gateway origin and always under `/{org}/{api}/` of an API
 * the signed-in viewer can see; the path cannot climb out of it; redirects are returned, never followed;
 * hop-by-hop, identity and forwarding headers cannot be set; sizes and time are bounded. The key is
 * used for this one request and never stored or logged.
 */

export const TRY_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
export const MAX_TRY_BODY_BYTES = 256 * 1024;
export const MAX_TRY_RESPONSE_BYTES = 512 * 1024;
export const TRY_TIMEOUT_MS = 15_000;
const MAX_FORWARDED_HEADERS = 30;

/** Headers the console never lets a user set: the gateway decides identity, framing and forwarding. */
const FORBIDDEN_HEADERS = new Set([
  'host',
  'origin',
  'referer',
  'user-agent',
  'accept-encoding',
  'priority',
  // what the portal's own request handling adds: the session cookie it may rotate, its CSP and nonce
  'set-cookie',
  'content-security-policy',
  'x-nonce',
  'x-matched-path',
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
const FORBIDDEN_PREFIXES = [
  'x-forwarded-',
  'proxy-',
  'sec-',
  'x-scalar-',
  'x-portcullis-',
  'x-middleware-',
  'x-next-',
  'x-invoke-',
  'next-',
  'rsc',
];

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

/**
 * Which gateway URL a console request names (`scalar_url`), as a path and query under the API's base
 * URL (what the reference lists as its server), or why it is refused. The result goes through
 * `gatewayTarget`, which decides the URL actually called.
 */
export function consoleRequestPath(
  requested: string | null,
  apiBaseUrl: string,
): { ok: true; path: string; query: Array<[string, string]> } | { ok: false; error: string } {
  if (!requested) return { ok: false, error: 'Which gateway URL to call is missing' };
  let url: URL;
  try {
    url = new URL(requested);
  } catch {
    return { ok: false, error: 'The URL to call is not a URL' };
  }
  const base = new URL(apiBaseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  if (url.username || url.password) return { ok: false, error: 'The URL may not carry credentials' };
  if (url.origin !== base.origin || !(url.pathname === prefix || url.pathname.startsWith(`${prefix}/`))) {
    return { ok: false, error: `The console only calls this API on the gateway (${apiBaseUrl})` };
  }
  // The raw text after the prefix: URL parsing already removed dot segments, gatewayTarget re-checks.
  const path = url.pathname.slice(prefix.length) || '/';
  return { ok: true, path, query: [...url.searchParams.entries()] };
}

/**
 * The headers sent to the gateway: the console's own allowed ones, the key as a bearer token (only when
 * one was given: the gateway answers 401 without), never the portal's cookies or the browser's identity.
 */
export function forwardedHeaders(incoming: Headers, hasBody: boolean): Headers {
  const headers = new Headers();
  let count = 0;
  for (const [name, value] of incoming) {
    if (!allowedHeaderName(name) || /[\r\n\0]/.test(value) || value.length > 4000) continue;
    if (++count > MAX_FORWARDED_HEADERS) break;
    headers.append(name, value);
  }
  const authorization = incoming.get('authorization')?.trim() ?? '';
  const key = /^Bearer\s+(\S{1,200})$/i.exec(authorization)?.[1];
  if (key) headers.set('authorization', `Bearer ${key}`);
  if (hasBody && !headers.has('content-type')) headers.set('content-type', 'application/json');
  headers.set('user-agent', 'portcullis-try-it');
  return headers;
}

/** Response headers the console must not pass on: framing the portal redoes, cookies of another origin. */
const DROPPED_RESPONSE_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-encoding',
  'content-length',
  'set-cookie',
  'set-cookie2',
  'trailer',
  'upgrade',
  'proxy-authenticate',
  'strict-transport-security',
  'content-security-policy',
  'clear-site-data',
]);

/**
 * The gateway's response headers as the console passes them on. What the portal adds for its own
 * safety (a sandboxing policy: the body is the gateway's, served on the portal's origin) is named in
 * `x-scalar-modified-headers` so the reference does not show it as the gateway's.
 */
export function returnedHeaders(upstream: Headers): Headers {
  const headers = new Headers();
  for (const [name, value] of upstream) {
    if (!DROPPED_RESPONSE_HEADERS.has(name.toLowerCase())) headers.append(name, value);
  }
  headers.set('content-security-policy', "sandbox; default-src 'none'");
  headers.set('x-content-type-options', 'nosniff');
  headers.set('cache-control', 'no-store');
  headers.set('x-scalar-modified-headers', 'content-security-policy, x-content-type-options, cache-control');
  return headers;
}

/**
 * The console may only be driven from the portal's own pages: a cross-site form, link or script
 * reaching this route would otherwise spend a victim's session. Browsers send Sec-Fetch-Site on every
 * request to a secure origin, Origin on every fetch but a same-origin GET, and a Referer by default.
 */
export function sameOrigin(request: Request): boolean {
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
  const fetchSite = request.headers.get('sec-fetch-site');
  if (fetchSite) return fetchSite === 'same-origin';
  const from = request.headers.get('origin') ?? request.headers.get('referer');
  if (!from || !host) return false;
  try {
    return new URL(from).host === host;
  } catch {
    return false;
  }
}

/** Reads at most `limit` bytes of a body; says whether there was more. */
export async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<{ data: Uint8Array<ArrayBuffer>; truncated: boolean; bytes: number }> {
  if (!body) return { data: new Uint8Array(0), truncated: false, bytes: 0 };
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
  return { data: new Uint8Array(Buffer.concat(chunks)), truncated, bytes };
}
