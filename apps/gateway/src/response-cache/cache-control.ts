import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

export type Directives = Map<string, string | true>;

const joined = (value: string | string[] | number | undefined): string =>
  Array.isArray(value) ? value.join(',') : value === undefined ? '' : String(value);

export function parseCacheControl(value: string | string[] | number | undefined): Directives {
  const directives: Directives = new Map();
  for (const part of joined(value).split(',')) {
    const [rawName, ...rest] = part.split('=');
    const name = rawName?.trim().toLowerCase();
    if (!name) continue;
    const arg = rest
      .join('=')
      .trim()
      .replace(/^"(.*)"$/, '$1');
    directives.set(name, rest.length > 0 ? arg : true);
  }
  return directives;
}

function seconds(directives: Directives, name: string): number | null {
  const value = directives.get(name);
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return null;
  return Number(value);
}

/**
 * What the client asked for: `no-store` keeps the cache out entirely (BYPASS); `no-cache`, `max-age=0` or
 * `Pragma: no-cache` skip the stored copy but let the fresh response refresh it (REFRESH).
 */
export type RequestCacheMode = 'use' | 'refresh' | 'bypass';

export function requestCacheMode(headers: IncomingHttpHeaders): RequestCacheMode {
  const cc = parseCacheControl(headers['cache-control']);
  if (cc.has('no-store')) return 'bypass';
  if (cc.has('no-cache') || seconds(cc, 'max-age') === 0) return 'refresh';
  if (!headers['cache-control'] && /no-cache/i.test(joined(headers.pragma))) return 'refresh';
  return 'use';
}

/** Statuses a shared cache may store without explicit freshness (RFC 9110 §15.1, heuristically cacheable). */
const CACHEABLE_STATUS = new Set([200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501]);

/**
 * How long a shared cache may keep this upstream response, in ms; null when it must not be stored:
 * uncacheable status, no-store/private/no-cache, Set-Cookie, Vary: *, or an s-maxage/max-age of 0.
 * The API's ttl is an upper bound the upstream may lower but never raise.
 */
export function responseTtlMs(
  status: number,
  headers: OutgoingHttpHeaders,
  policyTtlSeconds: number,
): number | null {
  if (!CACHEABLE_STATUS.has(status)) return null;
  if (headers['set-cookie'] !== undefined) return null;
  if (varyNames(headers) === null) return null;
  const cc = parseCacheControl(headers['cache-control']);
  if (cc.has('no-store') || cc.has('private') || cc.has('no-cache')) return null;
  const upstreamSeconds = seconds(cc, 's-maxage') ?? seconds(cc, 'max-age');
  const ttl = Math.min(policyTtlSeconds, upstreamSeconds ?? policyTtlSeconds);
  return ttl > 0 ? ttl * 1000 : null;
}

/** Header names the response varies on, lower-cased and sorted; null for `Vary: *` (never cacheable). */
export function varyNames(headers: OutgoingHttpHeaders): string[] | null {
  const names = joined(headers.vary)
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  if (names.includes('*')) return null;
  return [...new Set(names)].sort();
}
