/** The catalog list's filters, kept in the URL so they survive reloads and can be shared. */

export const STATUSES = [
  { value: 'active', label: 'Available (published or deprecated)' },
  { value: 'PUBLISHED', label: 'Published' },
  { value: 'DEPRECATED', label: 'Deprecated' },
  { value: 'DRAFT', label: 'Draft (your own)' },
  { value: 'RETIRED', label: 'Retired' },
  { value: 'any', label: 'Any status' },
] as const;

export type StatusFilter = (typeof STATUSES)[number]['value'];

export interface CatalogFilters {
  q: string;
  org: string;
  tag: string;
  status: StatusFilter;
  page: number;
}

export const NO_FILTERS: CatalogFilters = { q: '', org: '', tag: '', status: 'active', page: 1 };

const isStatus = (value: string): value is StatusFilter => STATUSES.some((s) => s.value === value);

/** The filters a query string asks for; unknown statuses and bad page numbers fall back to defaults. */
export function readFilters(params: URLSearchParams): CatalogFilters {
  const status = params.get('status') ?? 'active';
  const page = Number(params.get('page') ?? '1');
  return {
    q: params.get('q') ?? '',
    org: params.get('org') ?? '',
    tag: params.get('tag') ?? '',
    status: isStatus(status) ? status : 'active',
    page: Number.isInteger(page) && page >= 1 ? page : 1,
  };
}

/** The query string for the filters: defaults are left out, so an unfiltered catalog is plain /catalog. */
export function filtersQuery(filters: CatalogFilters): string {
  const query = new URLSearchParams();
  if (filters.q) query.set('q', filters.q);
  if (filters.org) query.set('org', filters.org);
  if (filters.tag) query.set('tag', filters.tag);
  if (filters.status !== 'active') query.set('status', filters.status);
  if (filters.page > 1) query.set('page', String(filters.page));
  return query.toString();
}

/** Whether anything narrows the list beyond the default (available APIs, any provider or tag). */
export function isFiltered(filters: CatalogFilters): boolean {
  return Boolean(filters.q || filters.org || filters.tag || filters.status !== 'active');
}

/** "1 API", "12 APIs". */
export const apiCount = (n: number) => `${n} API${n === 1 ? '' : 's'}`;
