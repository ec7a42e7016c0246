'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { type CatalogFilters, filtersQuery, NO_FILTERS, readFilters } from '../_lib/catalog-filters';

const SEARCH_DELAY_MS = 300;

/**
 * The catalog's filters, with the URL as the state: they survive reloads and can be shared. The search
 * text applies itself a moment after typing stops (or at once with `applySearch`).
 */
export function useCatalogFilters() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const filters = readFilters(new URLSearchParams(params.toString()));
  const [search, setSearch] = useState(filters.q);
  const typing = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(typing.current), []);

  const update = (changes: Partial<CatalogFilters>) => {
    // Read the URL as it is now, not as it was when a debounced search was scheduled: a filter chosen
    // in between must survive.
    const current = readFilters(new URLSearchParams(window.location.search));
    const text = filtersQuery({ ...current, page: 1, ...changes });
    router.replace(text ? `${pathname}?${text}` : pathname, { scroll: false });
  };

  return {
    filters,
    search,
    update,
    onSearch: (value: string) => {
      setSearch(value);
      clearTimeout(typing.current);
      typing.current = setTimeout(() => update({ q: value.trim() }), SEARCH_DELAY_MS);
    },
    applySearch: () => {
      clearTimeout(typing.current);
      update({ q: search.trim() });
    },
    clear: () => {
      clearTimeout(typing.current);
      setSearch('');
      update(NO_FILTERS);
    },
  };
}

export type CatalogFilterState = ReturnType<typeof useCatalogFilters>;
