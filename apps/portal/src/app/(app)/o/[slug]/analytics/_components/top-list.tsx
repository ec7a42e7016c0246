'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { type ColumnDef, DataTable } from '~/components/ui/data-table';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { count } from '~/lib/format';
import { useTRPC } from '~/trpc/client';
import { type Filter, type Side, type TopRow, topRows } from './scope';

function topColumns(side: Side): ColumnDef<TopRow>[] {
  return [
    {
      id: 'name',
      header: side === 'provider' ? 'Consumer' : 'API',
      accessorKey: 'name',
      cell: ({ row: { original } }) =>
        original.href ? <Link href={original.href}>{original.name}</Link> : original.name,
    },
    ...(side === 'consumer'
      ? [{ id: 'provider', header: 'Provider', accessorFn: (row: TopRow) => row.provider ?? '—' }]
      : []),
    {
      id: 'requests',
      header: 'Requests',
      accessorKey: 'requests',
      cell: ({ row }) => count(row.original.requests),
    },
    { id: 'errors', header: '5xx', accessorKey: 'errors', cell: ({ row }) => count(row.original.errors) },
  ];
}

/** The provider's busiest consumer orgs, or the APIs the consumer's apps called most, in the range. */
export function TopList({ filter }: { filter: Filter }) {
  const trpc = useTRPC();
  const top = useQuery(trpc.analytics.top.queryOptions({ ...filter, limit: 10 }));
  const title = filter.side === 'provider' ? 'Top consumers' : 'Top APIs';
  return (
    <section className="card min-w-0" aria-labelledby="top-title">
      <h2 id="top-title">{title}</h2>
      <QueryState
        query={top}
        pendingLabel={`Loading ${title.toLowerCase()}`}
        isEmpty={(data) => data.consumers.length === 0 && data.apis.length === 0}
        empty={
          <EmptyState
            title="Nothing in this range."
            description="Pick a longer time range, or another API."
          />
        }
      >
        {(data) => (
          <DataTable
            label={title}
            columns={topColumns(filter.side)}
            data={topRows(data)}
            getRowId={(r) => r.id}
          />
        )}
      </QueryState>
    </section>
  );
}
