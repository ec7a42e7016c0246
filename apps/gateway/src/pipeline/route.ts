import { err, ok, type Result } from '../result.ts';

export interface ParsedPath {
  orgSlug: string;
  apiSlug: string;
  /** Everything after `/{org}/{api}`, still percent-encoded: '' or starts with '/'. */
  rest: string;
  /** Raw query string without the '?', or '' when absent. */
  query: string;
}

export const RESERVED_PATHS = new Set(['/healthz', '/readyz']);

const SLUG = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
// Dot segments (also percent-encoded) would let a client climb out of the upstream's base path.
const DOT_SEGMENT = /(^|\/)(\.|%2e){1,2}(\/|$)/i;
// An encoded slash or backslash makes the path mean different things to different parsers.
const AMBIGUOUS = /%2f|%5c|\\/i;

/** Splits a request target into org, api, rest and query; null for anything malformed. */
export function parseGatewayPath(target: string | undefined): ParsedPath | null {
  if (!target?.startsWith('/') || target.startsWith('//')) return null;
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  const query = q === -1 ? '' : target.slice(q + 1);
  const second = path.indexOf('/', 1);
  if (second === -1) return null;
  const third = path.indexOf('/', second + 1);
  const orgSlug = path.slice(1, second);
  const apiSlug = third === -1 ? path.slice(second + 1) : path.slice(second + 1, third);
  const rest = third === -1 ? '' : path.slice(third);
  if (!SLUG.test(orgSlug) || !SLUG.test(apiSlug)) return null;
  if (DOT_SEGMENT.test(rest) || AMBIGUOUS.test(rest) || /[\s\0]/.test(rest)) return null;
  return { orgSlug, apiSlug, rest, query };
}

/** Joins the API's upstream URL (which may carry a base path) with the request's rest and query. */
export function joinUpstreamPath(upstreamBasePath: string, rest: string, query: string): string {
  const base = upstreamBasePath.endsWith('/') ? upstreamBasePath.slice(0, -1) : upstreamBasePath;
  const path = `${base}${rest}` || '/';
  return query ? `${path}?${query}` : path;
}

export type ApiStatus = 'DRAFT' | 'PUBLISHED' | 'DEPRECATED' | 'RETIRED';

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

/**
 * Version routing: when the first segment of `rest` names a key of `versions`, that version's targets
 * serve the request and the segment is stripped (`/v2/items` → version v2, rest `/items`); otherwise
 * the default targets get `rest` unchanged.
 */
export function splitVersion(
  rest: string,
  versions: Readonly<Record<string, unknown>>,
): { version: string | null; rest: string } {
  if (!rest.startsWith('/')) return { version: null, rest };
  const end = rest.indexOf('/', 1);
  const segment = end === -1 ? rest.slice(1) : rest.slice(1, end);
  if (!segment || !Object.hasOwn(versions, segment)) return { version: null, rest };
  return { version: segment, rest: end === -1 ? '' : rest.slice(end) };
}
