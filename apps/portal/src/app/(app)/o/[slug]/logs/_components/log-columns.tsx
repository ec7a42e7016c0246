'use client';

import { Button } from '~/components/ui/button';
import type { ColumnDef } from '~/components/ui/data-table';
import { utcPrecise } from '~/lib/format';
import { StatusCode } from './status-code';

export interface LogRow {
  id: string;
  at: Date;
  status: number;
  errorCode: string | null;
  method: string;
  path: string;
  apiName: string | null;
  latencyMs: number;
}

export function logColumns(open: (row: LogRow) => void): ColumnDef<LogRow>[] {
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
