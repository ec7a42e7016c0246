import type { ServerResponse } from 'node:http';
import type { RouteRecord } from '../config/repository.ts';

/** What deprecation headers need to know about a route. */
export type DeprecationSource = Pick<RouteRecord, 'status' | 'deprecatedAt' | 'sunsetAt'>;

const NONE: Readonly<Record<string, string>> = Object.freeze({});
// Route records are immutable snapshots replaced on reload: one computation per snapshot.
const computed = new WeakMap<DeprecationSource, Readonly<Record<string, string>>>();

/**
 * Headers announcing a DEPRECATED API on every response: `Deprecation: @<unix seconds>` (RFC 9745) of
 * when it was deprecated, and `Sunset: <HTTP-date>` (RFC 8594) of when it stops answering. Other
 * statuses get none. A missing date leaves its header out rather than inventing one.
 */
export function deprecationHeaders(
  route: DeprecationSource | null | undefined,
): Readonly<Record<string, string>> {
  if (route?.status !== 'DEPRECATED') return NONE;
  const known = computed.get(route);
  if (known) return known;
  const headers: Record<string, string> = {};
  if (route.deprecatedAt !== null) headers.deprecation = `@${Math.floor(route.deprecatedAt / 1000)}`;
  if (route.sunsetAt !== null) headers.sunset = new Date(route.sunsetAt).toUTCString();
  const frozen = Object.freeze(headers);
  computed.set(route, frozen);
  return frozen;
}

/** Sets the deprecation headers on a response that has not started yet (the chain's admit step). */
export function setDeprecationHeaders(
  res: ServerResponse,
  route: DeprecationSource | null | undefined,
): void {
  if (res.headersSent) return;
  for (const [name, value] of Object.entries(deprecationHeaders(route))) res.setHeader(name, value);
}
