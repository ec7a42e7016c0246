'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { OrgCrumb } from '~/components/org-crumb';
import { type ColumnDef, DataTable } from '~/components/ui/data-table';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { can } from '~/server/permissions';
import { useTRPC } from '~/trpc/client';
import { Decision, type PendingRow } from './_components/decision';

function requestColumns(
  orgSlug: string,
  mayDecide: boolean,
  refresh: () => Promise<unknown>,
): ColumnDef<PendingRow>[] {
  return [
    { id: 'app', header: 'App', accessorFn: (row) => row.app.name },
    { id: 'consumer', header: 'Consumer org', accessorFn: (row) => row.app.org.name },
    { id: 'api', header: 'API', accessorFn: (row) => row.plan.api.name },
    { id: 'plan', header: 'Plan', accessorFn: (row) => row.plan.name },
    {
      id: 'requested',
      header: 'Requested',
      accessorKey: 'createdAt',
      sortingFn: 'datetime',
      cell: ({ row: { original } }) => (
        <span>
          {original.requestedBy ? (original.requestedBy.name ?? original.requestedBy.email) : 'unknown'}
          {original.requestedBy?.name ? (
            <span className="block text-muted">{original.requestedBy.email}</span>
          ) : null}
          <time className="block text-muted" dateTime={original.createdAt.toISOString()}>
            {original.createdAt.toLocaleString()}
          </time>
        </span>
      ),
    },
    {
      id: 'decision',
      header: 'Decision',
      enableSorting: false,
      meta: { label: 'Decision' },
      cell: ({ row: { original } }) =>
        mayDecide ? (
          <Decision orgSlug={orgSlug} row={original} onDecided={refresh} />
        ) : (
          <span className="text-sm text-muted">Owners and admins decide</span>
        ),
    },
  ];
}

export default function ApprovalsPage() {
  const { slug } = useParams<{ slug: string }>();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const org = useQuery(trpc.org.get.queryOptions({ orgSlug: slug }));
  const pending = useQuery(trpc.subscription.pending.queryOptions({ orgSlug: slug }));
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.subscription.pending.queryKey({ orgSlug: slug }) });
  const mayDecide = org.data ? can(org.data.role, 'subscription.approve') : false;
  return (
    <>
      <OrgCrumb slug={slug} />
      <h1>Approvals</h1>
      <p className="muted">
        Subscription requests to your organization&apos;s APIs that need a decision. Active subscribers are
        suspended or resumed from each API&apos;s page; plans without approval activate at once.
      </p>
      {org.data && !mayDecide ? (
        <p className="muted" data-testid="approvals-read-only">
          Your role ({org.data.role}) can see requests; owners and admins approve or reject them.
        </p>
      ) : null}
      <QueryState
        query={pending}
        pendingLabel="Loading requests"
        isEmpty={(rows) => rows.length === 0}
        empty={
          <EmptyState
            title="No pending requests"
            description="Requests for plans that need approval appear here."
          />
        }
      >
        {(rows) => (
          <div className="card min-w-0">
            <DataTable
              label="Pending requests"
              columns={requestColumns(slug, mayDecide, refresh)}
              data={rows}
              getRowId={(row) => row.id}
              initialSorting={[{ id: 'requested', desc: false }]}
              columnMenu
            />
          </div>
        )}
      </QueryState>
    </>
  );
}
