'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Suspense } from 'react';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';
import { CatalogEmpty } from './_components/catalog-empty';
import { CatalogFilters } from './_components/catalog-filters';
import { CatalogResults } from './_components/catalog-results';
import { HiddenApis } from './_components/hidden-apis';
import { useCatalogFilters } from './_components/use-catalog-filters';
import { isFiltered } from './_lib/catalog-filters';

const PAGE_SIZE = 12;

function Catalog() {
  const trpc = useTRPC();
  const state = useCatalogFilters();
  const { filters } = state;
  const list = useQuery({
    ...trpc.catalog.list.queryOptions({ ...filters, pageSize: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <CatalogFilters state={state} />
      <QueryState
        query={list}
        pendingLabel="Loading catalog"
        isEmpty={(data) => data.items.length === 0}
        empty={<CatalogEmpty filtered={isFiltered(filters)} onClear={state.clear} />}
      >
        {(data) => (
          <>
            <HiddenApis listEmpty={false} fallback={null} />
            <CatalogResults
              data={data}
              updating={list.isFetching}
              onPage={(page) => state.update({ page })}
            />
          </>
        )}
      </QueryState>
    </>
  );
}

export default function CatalogPage() {
  return (
    <>
      <h1>Catalog</h1>
      <p className="muted">APIs you can browse, try and subscribe to.</p>
      <Suspense
        fallback={
          <p className="text-muted" role="status" aria-busy="true">
            Loading catalog…
          </p>
        }
      >
        <Catalog />
      </Suspense>
    </>
  );
}
