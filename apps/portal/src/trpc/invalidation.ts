import type { QueryKey } from '@tanstack/react-query';

/**
 * Which cached queries a successful mutation makes stale, by router domain: a new app must show up in
 * the catalog's app picker, a subscription in the catalog page and the app page, a key in the try-it
 * console's hints, and so on, wherever the developer goes next. Invalidated queries that are on screen
 * refetch at once; the others refetch when next shown, whatever the staleTime.
 */
const AFFECTS: Record<string, readonly string[]> = {
  // createAndSubscribe also makes an org and a subscription
  app: ['app', 'catalog', 'subscription', 'org', 'usage'],
  subscription: ['subscription', 'catalog', 'app', 'usage', 'billing'],
  key: ['key', 'catalog', 'app'],
  org: ['org', 'app'],
};

/** tRPC's keys start with the procedure path: [['app', 'create']] / [['app', 'subscribable'], {…}]. */
function domainOf(key: QueryKey | undefined): string | undefined {
  const path = key?.[0];
  return Array.isArray(path) && typeof path[0] === 'string' ? path[0] : undefined;
}

/** The query domains a mutation with this key makes stale (empty: leave the cache alone). */
export function affectedDomains(mutationKey: QueryKey | undefined): ReadonlySet<string> {
  const domain = domainOf(mutationKey);
  return new Set(domain ? (AFFECTS[domain] ?? []) : []);
}

/** For `invalidateQueries({ predicate })`: is this query in one of the domains? */
export const inDomains =
  (domains: ReadonlySet<string>) =>
  (query: { queryKey: QueryKey }): boolean => {
    const domain = domainOf(query.queryKey);
    return domain !== undefined && domains.has(domain);
  };
