'use client';

import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { FieldShell, Input } from '~/components/ui/field';
import { FilterBar } from '~/components/ui/filter-bar';
import { useTRPC } from '~/trpc/client';
import { isFiltered, STATUSES, type StatusFilter } from '../_lib/catalog-filters';
import type { CatalogFilterState } from './use-catalog-filters';

const FIELD = 'filter-field mb-0';

/** A native select (choosing applies at once), labelled like the kit's fields. */
function FilterSelect({
  id,
  label,
  value,
  onChange,
  children,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  children: ReactNode;
}) {
  return (
    <FieldShell id={id} label={label} className={FIELD}>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {children}
      </select>
    </FieldShell>
  );
}

/** Search and the provider, tag and status filters of the catalog list. */
export function CatalogFilters({ state }: { state: CatalogFilterState }) {
  const trpc = useTRPC();
  const facets = useQuery(trpc.catalog.facets.queryOptions());
  const { filters, search, update } = state;
  return (
    <FilterBar
      label="Filter APIs"
      className="card"
      applyLabel="Search"
      onApply={state.applySearch}
      onReset={isFiltered(filters) || search ? state.clear : undefined}
    >
      <FieldShell id="catalog-q" label="Search" className={FIELD}>
        <Input
          id="catalog-q"
          type="search"
          placeholder="Name, description or tag"
          value={search}
          onChange={(e) => state.onSearch(e.target.value)}
        />
      </FieldShell>
      <FilterSelect id="catalog-org" label="Provider" value={filters.org} onChange={(org) => update({ org })}>
        <option value="">All providers</option>
        {facets.data?.orgs.map((org) => (
          <option key={org.slug} value={org.slug}>
            {org.name}
          </option>
        ))}
      </FilterSelect>
      <FilterSelect id="catalog-tag" label="Tag" value={filters.tag} onChange={(tag) => update({ tag })}>
        <option value="">All tags</option>
        {facets.data?.tags.map(({ tag, count }) => (
          <option key={tag} value={tag}>
            {tag} ({count})
          </option>
        ))}
      </FilterSelect>
      <FilterSelect
        id="catalog-status"
        label="Status"
        value={filters.status}
        onChange={(status) => update({ status: status as StatusFilter })}
      >
        {STATUSES.map((s) => (
          <option key={s.value} value={s.value}>
            {s.label}
          </option>
        ))}
      </FilterSelect>
    </FilterBar>
  );
}
