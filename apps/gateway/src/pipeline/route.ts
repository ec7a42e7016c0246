import type { ApiStatus } from '../config/repository.ts';
import { err, ok, type Result } from '../result.ts';

export interface ParsedPath {
  orgSlug: string;
  apiSlug: string;
  /** Everything after `/{org}/{api}` (or `/{api}` on an org host), still percent-encoded: '' or starts with '/'. */
  rest: string;
  /** Raw query string without the '?', or '' when absent. */
  query: string;
}

const SLUG = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
// Dot segments (also percent-encoded) would let a client climb out of the upstream's base path.
const DOT_SEGMENT = /(^|\/)(\.|%2e){1,2}(\/|$)/i;
// An encoded slash or backslash makes the path mean different things to different parsers.
const AMBIGUOUS = /%2f|%5c|\\/i;
// Enough rounds to see through double and triple encoding (%252e%252e), which some upstreams decode again.
const DECODE_ROUNDS = 3;

/** Percent-decodes byte by byte (never throws), repeated while anything changes, up to DECODE_ROUNDS. */
function decodeSegment(segment: string): string {
  let current = segment;
  for (let round = 0; round < DECODE_ROUNDS && current.includes('%'); round++) {
    const next = current.replace(/%([0-9a-f]{2})/gi, (_, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
    if (next === current) break;
    current = next;
  }
  return current;
}

/**
 * The first path segment an upstream could read as "this directory" or "the parent", or null: `.` and
 * `..`, and segments starting `.;` or `..;` (Tomcat and other servlet containers strip `;parameters`
 * before resolving dot segments, so `/api/..;/admin` reaches `/admin` there), after percent-decoding
 * (`%2e%2e`, `%2e%2e%3b`, `%252e…`).
 */
export function unsafePathSegment(pathname: string): string | null {
  for (const raw of pathname.split('/')) {
    if (!raw.includes('.') && !raw.includes('%')) continue;
    const segment = decodeSegment(raw);
    if (segment === '.' || segment === '..' || segment.startsWith('.;') || segment.startsWith('..;')) {
      return raw;
    }
  }
  return null;
}

/**
 * The org a request's Host names under the per-org host suffix (GATEWAY_ORG_HOST_SUFFIX): with suffix
 * `gw.example.com`, `acme.gw.example.com[:port]` → 'acme'. undefined: not an org host (no suffix set, or
 * another host), so the path names the org; null: under the suffix but not one org label (never routed).
 */
export function orgFromHost(host: string | undefined, suffix: string | undefined): string | null | undefined {
  if (!suffix || !host) return undefined;
  let name = host.trim().toLowerCase();
  if (name.startsWith('[')) return undefined; // an IPv6 literal is never an org host
  name = name.replace(/:\d*$/, '');
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (!name.endsWith(`.${suffix}`)) return undefined;
  const label = name.slice(0, -(suffix.length + 1));
  return /^[a-z0-9][a-z0-9_-]{0,62}$/.test(label) ? label : null;
}

/**
 * Splits a request target into org, api, rest and query; null for anything malformed. `hostOrg` is the
 * org named by the Host (orgFromHost): then the path starts with the API (`/{api}/…`) and can name no
 * other org.
 */
export function parseGatewayPath(target: string | undefined, hostOrg?: string): ParsedPath | null {
  if (!target?.startsWith('/') || target.startsWith('//')) return null;
  const q = target.indexOf('?');
  const fullPath = q === -1 ? target : target.slice(0, q);
  const query = q === -1 ? '' : target.slice(q + 1);
  // On an org host the org is not in the path: parse `/{org}{path}` as if it were.
  const path = hostOrg === undefined ? fullPath : `/${hostOrg}${fullPath}`;
  const second = path.indexOf('/', 1);
  if (second === -1) return null;
  const third = path.indexOf('/', second + 1);
  const orgSlug = path.slice(1, second);
  const apiSlug = third === -1 ? path.slice(second + 1) : path.slice(second + 1, third);
  const rest = third === -1 ? '' : path.slice(third);
  if (!SLUG.test(orgSlug) || !SLUG.test(apiSlug)) return null;
  if (DOT_SEGMENT.test(rest) || AMBIGUOUS.test(rest) || /[\s\0]/.test(rest)) return null;
  if (unsafePathSegment(rest) !== null) return null;
  return { orgSlug, apiSlug, rest, query };
}

export interface RouteTarget {
  apiId: string;
  orgId: string;
  status: ApiStatus;
  upstreamUrl: string;
}

export type RouteError = { code: 'route_not_found' } | { code: 'api_retired'; apiId: string };

/** Decides whether a resolved API may take traffic: only PUBLISHED and DEPRECATED do. */
export function checkRoutable<T extends RouteTarget>(target: T | null): Result<T, RouteError> {
  if (!target) return err({ code: 'route_not_found' });
  if (target.status === 'RETIRED') return err({ code: 'api_retired', apiId: target.apiId });
  if (target.status === 'PUBLISHED' || target.status === 'DEPRECATED') return ok(target);
  return err({ code: 'route_not_found' });
}
