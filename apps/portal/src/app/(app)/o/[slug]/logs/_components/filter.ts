import { parseUtcInput } from '../../../../../../lib/format';

export type Side = 'provider' | 'consumer';

/** The side switch's words. */
export const SIDE_LABEL: Record<Side, string> = {
  provider: 'Calls to my APIs',
  consumer: 'Calls by my apps',
};

/** The request log filters as typed: empty strings are "no filter". */
export interface LogDraft {
  status: string;
  keyId: string;
  apiId: string;
  pathPrefix: string;
  from: string;
  to: string;
}

export const NO_FILTER: LogDraft = { status: '', keyId: '', apiId: '', pathPrefix: '', from: '', to: '' };

export type LogFilter = ReturnType<typeof appliedFilter>;

/** The non-empty filters, as the list procedure and the CSV route take them (from/to read as UTC). */
export function appliedFilter(draft: LogDraft) {
  const from = parseUtcInput(draft.from);
  const to = parseUtcInput(draft.to);
  return {
    ...(draft.status.trim() ? { status: draft.status.trim() } : {}),
    ...(draft.keyId.trim() ? { keyId: draft.keyId.trim() } : {}),
    ...(draft.apiId ? { apiId: draft.apiId } : {}),
    ...(draft.pathPrefix.trim() ? { pathPrefix: draft.pathPrefix.trim() } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
}

/** The CSV export of the applied filters, for one side. */
export function csvHref(slug: string, side: Side, filter: LogFilter): string {
  const params = new URLSearchParams({ side });
  for (const [name, value] of Object.entries(filter)) {
    params.set(name, value instanceof Date ? value.toISOString() : value);
  }
  return `/api/orgs/${slug}/logs/csv?${params}`;
}

/**
 * The sides whose requests the org can read: its APIs' (provider) when it publishes any, its apps'
 * (consumer) when it subscribes; an org with neither still sees its (empty) consumer side.
 */
export function logSides(scope: { provider: unknown; consumer: unknown } | undefined): Side[] {
  if (!scope) return [];
  if (!scope.provider) return ['consumer'];
  return scope.consumer ? ['provider', 'consumer'] : ['provider'];
}
