/** Joins the API's upstream URL (which may carry a base path) with the request's rest and query. */
export function joinUpstreamPath(upstreamBasePath: string, rest: string, query: string): string {
  const base = upstreamBasePath.endsWith('/') ? upstreamBasePath.slice(0, -1) : upstreamBasePath;
  const path = `${base}${rest}` || '/';
  return query ? `${path}?${query}` : path;
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
