'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Badge } from '~/components/ui/badge';
import { type ColumnDef, DataTable } from '~/components/ui/data-table';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';
import { SubscriberActions, type SubscriberRow } from './subscribers/subscriber-actions';

const STATUS_TONE = { ACTIVE: 'ok', SUSPENDED: 'danger', PENDING: 'warn' } as const;
const toneOf = (status: string) => STATUS_TONE[status as keyof typeof STATUS_TONE] ?? 'neutral';

function columns(orgSlug: string, canDecide: boolean, onChanged: () => Promise<void>) {
  const list: ColumnDef<SubscriberRow>[] = [
    { id: 'app', header: 'App', accessorFn: (row) => row.app.name },
    { id: 'org', header: 'Consumer org', accessorFn: (row) => row.app.org.name },
    {
      id: 'plan',
      header: 'Plan',
      accessorFn: (row) => row.plan.name,
      cell: ({ row: { original } }) => (
        <>
          {original.plan.name}
          {original.plan.archivedAt ? <span className="text-muted"> (archived)</span> : null}
        </>
      ),
    },
    {
      id: 'status',
      header: 'Status',
      accessorKey: 'status',
      cell: ({ row: { original } }) => <Badge tone={toneOf(original.status)}>{original.status}</Badge>,
    },
  ];
  if (!canDecide) return list;
  return list.concat({
    id: 'actions',
    header: () => <span className="sr-only">Actions</span>,
    enableSorting: false,
    meta: { actions: true, label: 'Actions' },
    cell: ({ row: { original } }) => (
      <SubscriberActions orgSlug={orgSlug} row={original} onChanged={onChanged} />
    ),
  });
}

/** Provider side: who subscribes to this API, with suspend/resume for owners and admins. */
export function Subscribers({ orgSlug, apiId }: { orgSlug: string; apiId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const subs = useQuery(trpc.policy.subscribers.queryOptions({ orgSlug, apiId }));
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.policy.subscribers.queryKey({ orgSlug, apiId }) });
  return (
    <section className="card" aria-labelledby="subscribers-title">
      <h2 id="subscribers-title">Subscribers</h2>
      <QueryState
        query={subs}
        pendingLabel="Loading subscribers"
        isEmpty={(data) => data.rows.length === 0}
        empty={
          <EmptyState
            title="No subscriptions yet."
            description="Consumers subscribe to one of the plans from the catalog."
          />
        }
      >
        {(data) => (
          <>
            <DataTable
              label="Subscribers"
              columns={columns(orgSlug, data.canDecide, refresh)}
              data={data.rows}
              getRowId={(row) => row.id}
            />
            {data.canDecide ? null : (
              <p className="text-sm text-muted">Owners and admins suspend and resume subscriptions.</p>
            )}
          </>
        )}
      </QueryState>
    </section>
  );
}
