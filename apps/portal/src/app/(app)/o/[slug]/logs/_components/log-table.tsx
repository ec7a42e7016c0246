'use client';

import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '~/components/ui/button';
import { type ColumnDef, DataTable } from '~/components/ui/data-table';
import { Drawer } from '~/components/ui/drawer';
import { EmptyState } from '~/components/ui/empty-state';
import { FormMessage } from '~/components/ui/field';
import { QueryState } from '~/components/ui/query-state';
import { utcPrecise } from '~/lib/format';
import { fieldErrors, useTRPC } from '~/trpc/client';
import { LogDetail } from './log-detail';
import { StatusCode } from './status-code';

const PAGE_SIZE = 50;

interface LogRow {
  id: string;
  at: Date;
  status: number;
  errorCode: string | null;
  method: string;
  path: string;
  apiName: string | null;
  latencyMs: number;
}

function logColumns(open: (row: LogRow) => void): ColumnDef<LogRow>[] {
  return [
    {
      id: 'at',
      header: 'Time (UTC)',
      accessorKey: 'at',
      sortingFn: 'datetime',
      cell: ({ row }) => <span className="whitespace-nowrap">{utcPrecise(row.original.at)}</span>,
    },
    {
      id: 'status',
      header: 'Status',
      accessorKey: 'status',
      cell: ({ row: { original } }) => (
        <>
          <StatusCode status={original.status} />
          {original.errorCode ? <span className="text-muted"> {original.errorCode}</span> : null}
        </>
      ),
    },
    {
      id: 'request',
      header: 'Request',
      accessorFn: (row) => `${row.method} ${row.path}`,
      cell: ({ getValue }) => (
        <span className="font-mono text-sm [overflow-wrap:anywhere]">{String(getValue())}</span>
      ),
    },
    { id: 'api', header: 'API', accessorFn: (row) => row.apiName ?? '—' },
    {
      id: 'latency',
      header: 'Latency',
      accessorKey: 'latencyMs',
      cell: ({ row }) => <span className="whitespace-nowrap">{row.original.latencyMs} ms</span>,
    },
    {
      id: 'details',
      header: () => <span className="sr-only">Details</span>,
      enableSorting: false,
      meta: { actions: true, label: 'Details' },
      cell: ({ row }) => (
        <Button variant="secondary" size="sm" onClick={() => open(row.original)}>
          Details<span className="sr-only"> of request {row.original.id}</span>
        </Button>
      ),
    },
  ];
}

export function LogTable({
  orgSlug,
  side,
  filter,
}: {
  orgSlug: string;
  side: 'provider' | 'consumer';
  filter: Record<string, string | Date>;
}) {
  const trpc = useTRPC();
  const [open, setOpen] = useState<LogRow | null>(null);
  const list = useInfiniteQuery(
    trpc.logs.list.infiniteQueryOptions(
      { orgSlug, side, limit: PAGE_SIZE, ...filter },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  const firstFieldError = list.isError ? Object.entries(fieldErrors(list.error))[0] : undefined;
  if (firstFieldError) return <FormMessage message={`${firstFieldError[0]}: ${firstFieldError[1]}`} />;
  return (
    <QueryState
      query={list}
      pendingLabel="Loading requests"
      isEmpty={(data) => data.pages.every((page) => page.rows.length === 0)}
      empty={
        <EmptyState
          title="No requests match."
          description="Calls through the gateway appear here within seconds."
        />
      }
    >
      {(data) => {
        const rows = data.pages.flatMap((page) => page.rows);
        return (
          <>
            <DataTable
              label="Requests"
              columns={logColumns(setOpen)}
              data={rows}
              getRowId={(row) => row.id}
              pageSize={1000}
              rowTestId="log-row"
              columnMenu
            />
            {list.hasNextPage ? (
              <Button
                variant="secondary"
                className="mt-3"
                disabled={list.isFetchingNextPage}
                onClick={() => void list.fetchNextPage()}
              >
                {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </Button>
            ) : (
              <p className="muted">
                {rows.length} request{rows.length === 1 ? '' : 's'}.
              </p>
            )}
            <Drawer
              open={open !== null}
              onOpenChange={(next) => (next ? null : setOpen(null))}
              title="Request"
            >
              {open ? <LogDetail orgSlug={orgSlug} side={side} id={open.id} at={open.at} /> : null}
            </Drawer>
          </>
        );
      }}
    </QueryState>
  );
}
