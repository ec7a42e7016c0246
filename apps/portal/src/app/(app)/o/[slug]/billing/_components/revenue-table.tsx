'use client';

import { useQuery } from '@tanstack/react-query';
import { MoneyTotals, money } from '~/components/billing/format';
import { type ColumnDef, DataTable } from '~/components/ui/data-table';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';

const REVENUE_MONTHS = 12;

interface RevenueRow {
  month: string;
  apiId: string | null;
  apiName: string | null;
  planId: string | null;
  planName: string | null;
  currency: string;
  invoices: number;
  invoicedMinor: bigint;
  paidMinor: bigint;
}

const deleted = <span className="muted">(deleted)</span>;

const columns: ColumnDef<RevenueRow>[] = [
  { id: 'month', header: 'Month', accessorKey: 'month' },
  { id: 'api', header: 'API', accessorKey: 'apiName', cell: ({ row }) => row.original.apiName ?? deleted },
  {
    id: 'plan',
    header: 'Plan',
    accessorKey: 'planName',
    cell: ({ row }) => row.original.planName ?? deleted,
  },
  { id: 'invoices', header: 'Invoices', accessorKey: 'invoices' },
  {
    id: 'invoiced',
    header: 'Invoiced',
    enableSorting: false,
    cell: ({ row: { original } }) => money(original.invoicedMinor, original.currency),
  },
  {
    id: 'paid',
    header: 'Paid',
    enableSorting: false,
    cell: ({ row: { original } }) => money(original.paidMinor, original.currency),
  },
];

/** Issued invoices per month, API and plan, with a CSV of the same figures. */
export function Revenue({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const revenue = useQuery(trpc.billing.providerRevenue.queryOptions({ orgSlug, months: REVENUE_MONTHS }));
  return (
    <section className="card" aria-labelledby="revenue-title">
      <div className="page-head">
        <h2 id="revenue-title">Invoices by month</h2>
        <a className="button" href={`/api/orgs/${orgSlug}/revenue/csv?months=${REVENUE_MONTHS}`} download>
          Download revenue CSV
        </a>
      </div>
      <p className="muted">
        Issued invoices of the last {REVENUE_MONTHS} months by the month they were issued, per API and plan.
      </p>
      <QueryState
        query={revenue}
        pendingLabel="Loading revenue"
        isEmpty={(data) => data.rows.length === 0}
        empty={
          <EmptyState
            title="No invoices issued yet."
            description="Invoices are issued when a subscriber's billing period ends; price a plan on its API's page so its subscribers are charged."
          />
        }
      >
        {(data) => (
          <>
            <DataTable
              label="Revenue by month, API and plan"
              columns={columns}
              data={data.rows}
              getRowId={(row) => `${row.month}|${row.apiId}|${row.planId}|${row.currency}`}
            />
            <p>
              Invoiced: <MoneyTotals totals={data.invoicedTotals} /> · Paid:{' '}
              <MoneyTotals totals={data.paidTotals} />
            </p>
          </>
        )}
      </QueryState>
    </section>
  );
}
