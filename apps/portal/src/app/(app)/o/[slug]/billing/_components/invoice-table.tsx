'use client';

import Link from 'next/link';
import { day, InvoiceStatus, money } from '~/components/billing/format';
import { Button } from '~/components/ui/button';
import { type ColumnDef, DataTable } from '~/components/ui/data-table';

export interface ReceivedInvoice {
  id: string;
  number: string;
  status: string;
  currency: string;
  totalMinor: bigint;
  periodStart: Date;
  periodEnd: Date;
  dueAt: Date | null;
  providerOrg: { name: string };
}

function invoiceColumns(orgSlug: string): ColumnDef<ReceivedInvoice>[] {
  return [
    {
      id: 'invoice',
      header: 'Invoice',
      accessorKey: 'number',
      cell: ({ row: { original } }) => (
        <Link href={`/o/${orgSlug}/invoices/${original.id}`}>{original.number}</Link>
      ),
    },
    { id: 'from', header: 'From', accessorFn: (row) => row.providerOrg.name },
    {
      id: 'period',
      header: 'Period',
      cell: ({ row: { original } }) => `${day(original.periodStart)} → ${day(original.periodEnd)}`,
    },
    {
      id: 'status',
      header: 'Status',
      cell: ({ row: { original } }) => <InvoiceStatus status={original.status} />,
    },
    {
      id: 'total',
      header: 'Total',
      cell: ({ row: { original } }) => (
        <span className="tabular-nums">{money(original.totalMinor, original.currency)}</span>
      ),
    },
    {
      id: 'due',
      header: 'Due',
      cell: ({ row: { original } }) => (original.status === 'FINALIZED' ? day(original.dueAt) : '—'),
    },
    {
      id: 'export',
      header: 'Export',
      cell: ({ row: { original } }) => (
        <a href={`/api/invoices/${original.id}/csv`} download>
          CSV<span className="visually-hidden"> of {original.number}</span>
        </a>
      ),
    },
  ];
}

/** One server page of received invoices, in the server's order (newest first). */
export function InvoiceTable({ orgSlug, rows }: { orgSlug: string; rows: ReceivedInvoice[] }) {
  return (
    <DataTable
      label="Invoices"
      columns={invoiceColumns(orgSlug).map((column) => ({ ...column, enableSorting: false }))}
      data={rows}
      getRowId={(row) => row.id}
    />
  );
}

/** Previous / next for a list the server pages; nothing when everything fits on one page. */
export function ServerPager({
  label,
  page,
  pages,
  onPage,
}: {
  label: string;
  page: number;
  pages: number;
  onPage: (page: number) => void;
}) {
  if (pages <= 1) return null;
  return (
    <nav aria-label={`${label} pages`} className="mt-3 flex flex-wrap items-center gap-3">
      <Button variant="secondary" size="sm" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous
      </Button>
      <span className="text-sm text-muted" aria-live="polite">
        Page {page} of {pages}
      </span>
      <Button variant="secondary" size="sm" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next
      </Button>
    </nav>
  );
}
