'use client';

import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '~/components/ui/button';
import { type ColumnDef, DataTable } from '~/components/ui/data-table';
import { Drawer } from '~/components/ui/drawer';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { utcPrecise } from '~/lib/format';
import { useTRPC } from '~/trpc/client';
import { EntryDetail } from './entry-detail';
import { type AuditDraft, appliedFilter } from './filter';

interface AuditRow {
  id: string;
  at: Date;
  action: string;
  targetType: string;
  targetId: string;
  targetName: string | null;
  actor: { name: string | null; email: string } | null;
  apiToken: { name: string; prefix: string } | null;
}

function auditColumns(open: (id: string) => void): ColumnDef<AuditRow>[] {
  return [
    {
      id: 'at',
      header: 'When (UTC)',
      accessorKey: 'at',
      sortingFn: 'datetime',
      cell: ({ row }) => <span className="whitespace-nowrap">{utcPrecise(row.original.at)}</span>,
    },
    {
      id: 'actor',
      header: 'Actor',
      accessorFn: (row) =>
        `${row.actor ? (row.actor.name ?? row.actor.email) : 'System'}${row.apiToken ? ` via token ${row.apiToken.name}` : ''}`,
    },
    {
      id: 'action',
      header: 'Action',
      accessorKey: 'action',
      cell: ({ row }) => <code>{row.original.action}</code>,
    },
    {
      id: 'target',
      header: 'Target',
      accessorFn: (row) => row.targetName ?? row.targetType,
      cell: ({ row: { original } }) => (
        <span>
          {original.targetName ?? <span className="text-muted">{original.targetId}</span>}
          <span className="block text-sm text-muted">{original.targetType}</span>
        </span>
      ),
    },
    {
      id: 'details',
      header: () => <span className="sr-only">Details</span>,
      enableSorting: false,
      meta: { actions: true, label: 'Details' },
      cell: ({ row }) => (
        <Button variant="secondary" size="sm" onClick={() => open(row.original.id)}>
          Details<span className="sr-only"> of {row.original.action}</span>
        </Button>
      ),
    },
  ];
}

/** The entries matching the applied filters, newest first, with a drawer for one entry. */
export function AuditList({ orgSlug, draft }: { orgSlug: string; draft: AuditDraft }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState<string | null>(null);
  const list = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(
      { orgSlug, limit: 50, ...appliedFilter(draft) },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  return (
    <QueryState
      query={list}
      pendingLabel="Loading the audit log"
      isEmpty={(data) => data.pages.every((page) => page.rows.length === 0)}
      empty={<EmptyState title="No entries match." description="Change or reset the filters." />}
    >
      {(data) => (
        <>
          <DataTable
            label="Audit log"
            columns={auditColumns(setOpen)}
            data={data.pages.flatMap((page) => page.rows)}
            getRowId={(row) => row.id}
            pageSize={1000}
            rowTestId="audit-row"
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
          ) : null}
          <Drawer
            open={open !== null}
            onOpenChange={(next) => (next ? null : setOpen(null))}
            title="Audit entry"
          >
            {open ? <EntryDetail orgSlug={orgSlug} id={open} /> : null}
          </Drawer>
        </>
      )}
    </QueryState>
  );
}
