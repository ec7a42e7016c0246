'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { day, InvoiceStatus, MoneyTotals, money } from '~/components/billing/format';
import { SettleInvoice } from '~/components/billing/settle-invoice';
import { type ColumnDef, DataTable } from '~/components/ui/data-table';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';

interface UnpaidRow {
  id: string;
  number: string;
  status: string;
  currency: string;
  totalMinor: bigint;
  billedVia: string;
  dueAt: Date | null;
  overdue: boolean;
  customerOrg: { name: string };
}

function unpaidColumns(orgSlug: string, refresh: () => Promise<unknown>): ColumnDef<UnpaidRow>[] {
  return [
    {
      id: 'invoice',
      header: 'Invoice',
      accessorKey: 'number',
      cell: ({ row: { original } }) => (
        <Link href={`/o/${orgSlug}/invoices/${original.id}`}>{original.number}</Link>
      ),
    },
    { id: 'customer', header: 'Customer', accessorFn: (row) => row.customerOrg.name },
    {
      id: 'total',
      header: 'Total',
      enableSorting: false,
      cell: ({ row: { original } }) => money(original.totalMinor, original.currency),
    },
    {
      id: 'due',
      header: 'Due',
      accessorKey: 'dueAt',
      sortingFn: 'datetime',
      cell: ({ row: { original } }) => (
        <>
          {day(original.dueAt)} <InvoiceStatus status={original.status} overdue={original.overdue} />
        </>
      ),
    },
    {
      id: 'payment',
      header: 'Payment',
      enableSorting: false,
      cell: ({ row: { original } }) =>
        original.billedVia === 'local' ? (
          <SettleInvoice
            orgSlug={orgSlug}
            invoiceId={original.id}
            number={original.number}
            onChanged={refresh}
          />
        ) : (
          <span className="muted">Collected by Stripe</span>
        ),
    },
  ];
}

/** Issued invoices not yet paid; local ones can be marked paid or voided here. */
export function UnpaidInvoices({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const unpaid = useQuery(trpc.billing.unpaidInvoices.queryOptions({ orgSlug }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.billing.pathKey() });
  return (
    <section className="card" aria-labelledby="unpaid-title">
      <h2 id="unpaid-title">Unpaid invoices</h2>
      <QueryState
        query={unpaid}
        pendingLabel="Loading unpaid invoices"
        isEmpty={(data) => data.rows.length === 0}
        empty={
          <EmptyState
            title="Every issued invoice is paid."
            description="Open invoices appear here when a period closes; mark local ones paid once the money arrives."
          />
        }
      >
        {(data) => (
          <>
            <DataTable
              label="Unpaid invoices"
              columns={unpaidColumns(orgSlug, refresh)}
              data={data.rows}
              getRowId={(row) => row.id}
            />
            <p>
              Outstanding: <MoneyTotals totals={data.totals} />
            </p>
          </>
        )}
      </QueryState>
    </section>
  );
}
