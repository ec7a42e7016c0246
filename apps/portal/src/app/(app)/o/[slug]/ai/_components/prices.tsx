'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type ColumnDef, DataTable } from '~/components/ui/data-table';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';
import { PriceActions } from './price-actions';
import { unitPrices } from './price-draft';
import { PriceForm, type PriceRow } from './price-form';

const WRITE_REASON = 'Only owners and admins can add or change prices.';

function priceColumns(orgSlug: string, canWrite: boolean, refresh: () => Promise<unknown>) {
  const columns: ColumnDef<PriceRow>[] = [
    { id: 'provider', header: 'Provider', accessorKey: 'provider' },
    {
      id: 'model',
      header: 'Model',
      accessorKey: 'model',
      cell: ({ row }) => <code>{row.original.model}</code>,
    },
    {
      id: 'input',
      header: 'Input / 1M',
      accessorKey: 'inputPerMillion',
      cell: ({ row }) => `$${row.original.inputPerMillion}`,
    },
    {
      id: 'output',
      header: 'Output / 1M',
      accessorKey: 'outputPerMillion',
      cell: ({ row }) => `$${row.original.outputPerMillion}`,
    },
    {
      id: 'units',
      header: 'Per unit',
      enableSorting: false,
      cell: ({ row }) => unitPrices(row.original),
    },
    {
      id: 'context',
      header: 'Context',
      accessorKey: 'contextWindow',
      cell: ({ row }) => row.original.contextWindow?.toLocaleString('en-US') ?? '—',
    },
  ];
  if (!canWrite) return columns;
  return [
    ...columns,
    {
      id: 'actions',
      header: () => <span className="sr-only">Actions</span>,
      enableSorting: false,
      meta: { actions: true, label: 'Actions' },
      cell: ({ row }) => <PriceActions orgSlug={orgSlug} row={row.original} onChanged={refresh} />,
    },
  ] satisfies ColumnDef<PriceRow>[];
}

/** What each provider model costs the org; owners and admins add, edit and delete rows. */
export function PricesSection({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.ai.prices.queryOptions({ orgSlug }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.ai.prices.queryKey({ orgSlug }) });
  return (
    <section aria-labelledby="prices-title">
      <h2 id="prices-title">Price table</h2>
      <p className="muted">
        What each provider model costs you, in USD per million tokens and optionally per image, second of
        audio or call (exact decimals). The gateway prices every call from it and describes each model route
        with it at GET /v1/models; a model without a row costs 0.
      </p>
      <QueryState query={list} pendingLabel="Loading prices">
        {({ items, canWrite }) => (
          <>
            {items.length === 0 ? (
              <EmptyState
                title="No prices yet."
                description={
                  canWrite ? 'Add the models your routes call below; until then calls cost 0.' : WRITE_REASON
                }
              />
            ) : (
              <div className="card min-w-0">
                <DataTable
                  label="Model prices"
                  columns={priceColumns(orgSlug, canWrite, refresh)}
                  data={items}
                  getRowId={(row) => row.id}
                />
              </div>
            )}
            {canWrite ? (
              <div className="card">
                <h3>Add a price</h3>
                <PriceForm orgSlug={orgSlug} onDone={refresh} />
              </div>
            ) : items.length > 0 ? (
              <p className="muted" data-testid="prices-read-only">
                {WRITE_REASON}
              </p>
            ) : null}
          </>
        )}
      </QueryState>
    </section>
  );
}
