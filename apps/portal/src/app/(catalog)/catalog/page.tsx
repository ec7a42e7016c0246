'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { Suspense, useEffect, useRef, useState } from 'react';
import { ErrorState, Loading } from '../../../components/form';
import { useTRPC } from '../../../trpc/client';
import styles from './_components/catalog.module.css';
import { HiddenApis } from './_components/hidden-apis';
import { StatusBadge } from './_components/status-badge';

const STATUSES = [
  { value: 'active', label: 'Available (published or deprecated)' },
  { value: 'PUBLISHED', label: 'Published' },
  { value: 'DEPRECATED', label: 'Deprecated' },
  { value: 'DRAFT', label: 'Draft (your own)' },
  { value: 'RETIRED', label: 'Retired' },
  { value: 'any', label: 'Any status' },
] as const;
type StatusFilter = (typeof STATUSES)[number]['value'];
const PAGE_SIZE = 12;

function readFilters(params: URLSearchParams) {
  const status = params.get('status') ?? 'active';
  const page = Number(params.get('page') ?? '1');
  return {
    q: params.get('q') ?? '',
    org: params.get('org') ?? '',
    tag: params.get('tag') ?? '',
    status: (STATUSES.some((s) => s.value === status) ? status : 'active') as StatusFilter,
    page: Number.isInteger(page) && page >= 1 ? page : 1,
  };
}

function Catalog() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const filters = readFilters(new URLSearchParams(params.toString()));
  const [search, setSearch] = useState(filters.q);

  // The URL is the state: filters survive reloads and can be shared.
  const update = (changes: Partial<typeof filters>) => {
    // Read the URL as it is now, not as it was when a debounced search was scheduled: a filter chosen
    // in between must survive.
    const current = readFilters(new URLSearchParams(window.location.search));
    const next = { ...current, page: 1, ...changes };
    const query = new URLSearchParams();
    if (next.q) query.set('q', next.q);
    if (next.org) query.set('org', next.org);
    if (next.tag) query.set('tag', next.tag);
    if (next.status !== 'active') query.set('status', next.status);
    if (next.page > 1) query.set('page', String(next.page));
    const text = query.toString();
    router.replace(text ? `${pathname}?${text}` : pathname, { scroll: false });
  };

  const typing = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(typing.current), []);
  const onSearch = (value: string) => {
    setSearch(value);
    clearTimeout(typing.current);
    typing.current = setTimeout(() => update({ q: value.trim() }), 300);
  };

  const list = useQuery({
    ...trpc.catalog.list.queryOptions({ ...filters, pageSize: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
  const facets = useQuery(trpc.catalog.facets.queryOptions());
  const filtered = Boolean(filters.q || filters.org || filters.tag);

  return (
    <>
      <h1>Catalog</h1>
      <p className="muted">APIs you can browse, try and subscribe to.</p>
      <search className="card" aria-label="Filter APIs">
        <form
          className={styles.filters}
          onSubmit={(e) => {
            e.preventDefault();
            clearTimeout(typing.current);
            update({ q: search.trim() });
          }}
        >
          <div className="field">
            <label htmlFor="catalog-q">Search</label>
            <input
              id="catalog-q"
              type="search"
              placeholder="Name, description or tag"
              value={search}
              onChange={(e) => onSearch(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="catalog-org">Provider</label>
            <select id="catalog-org" value={filters.org} onChange={(e) => update({ org: e.target.value })}>
              <option value="">All providers</option>
              {facets.data?.orgs.map((org) => (
                <option key={org.slug} value={org.slug}>
                  {org.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="catalog-tag">Tag</label>
            <select id="catalog-tag" value={filters.tag} onChange={(e) => update({ tag: e.target.value })}>
              <option value="">All tags</option>
              {facets.data?.tags.map(({ tag, count }) => (
                <option key={tag} value={tag}>
                  {tag} ({count})
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="catalog-status">Status</label>
            <select
              id="catalog-status"
              value={filters.status}
              onChange={(e) => update({ status: e.target.value as StatusFilter })}
            >
              {STATUSES.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          </div>
        </form>
      </search>
      {list.isPending ? (
        <Loading what="Loading catalog" />
      ) : list.isError ? (
        <ErrorState error={list.error} />
      ) : list.data.items.length === 0 ? (
        <div className="empty card">
          {filtered || filters.status !== 'active' ? (
            <p>No APIs match these filters.</p>
          ) : (
            <HiddenApis listEmpty fallback={<p>No published APIs yet.</p>} />
          )}
          {filtered || filters.status !== 'active' ? (
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setSearch('');
                update({ q: '', org: '', tag: '', status: 'active' });
              }}
            >
              Clear filters
            </button>
          ) : null}
        </div>
      ) : (
        <>
          <HiddenApis listEmpty={false} fallback={null} />
          <p className="muted" aria-live="polite" data-testid="catalog-count">
            {list.data.total} API{list.data.total === 1 ? '' : 's'}
            {list.isFetching ? ' · updating…' : ''}
          </p>
          <ul className="cards" aria-label="APIs">
            {list.data.items.map((api) => (
              <li key={api.id} className="card api-card">
                <h2>
                  <Link href={`/catalog/${api.org.slug}/${api.slug}`}>{api.name}</Link>
                </h2>
                <p className="muted">
                  by {api.org.name} · {api.version}
                </p>
                {api.description ? <p>{api.description}</p> : null}
                <p className="meta">
                  <StatusBadge status={api.status} />
                  {api.visibility !== 'PUBLIC' ? <span className="badge">{api.visibility}</span> : null}
                  <span className="muted">
                    {api._count.plans} plan{api._count.plans === 1 ? '' : 's'}
                  </span>
                </p>
                {api.tags.length > 0 ? (
                  <ul className={styles.tags} aria-label={`Tags of ${api.name}`}>
                    {api.tags.map((tag) => (
                      <li key={tag} className={styles.tag}>
                        {tag}
                      </li>
                    ))}
                  </ul>
                ) : null}
              </li>
            ))}
          </ul>
          {list.data.pageCount > 1 ? (
            <nav className={styles.pager} aria-label="Pages">
              <button
                type="button"
                className="secondary"
                disabled={filters.page <= 1}
                onClick={() => update({ page: filters.page - 1 })}
              >
                Previous
              </button>
              <span>
                Page {list.data.page} of {list.data.pageCount}
              </span>
              <button
                type="button"
                className="secondary"
                disabled={filters.page >= list.data.pageCount}
                onClick={() => update({ page: filters.page + 1 })}
              >
                Next
              </button>
            </nav>
          ) : null}
        </>
      )}
    </>
  );
}

export default function CatalogPage() {
  return (
    <Suspense fallback={<Loading what="Loading catalog" />}>
      <Catalog />
    </Suspense>
  );
}
