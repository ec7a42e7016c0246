'use client';

import { count, money, unitPrice } from '~/components/billing/format';
import { type ColumnDef, DataTable } from '~/components/ui/data-table';
import type { InvoiceData, InvoiceLine } from './use-invoice';

function lineColumns(currency: string): ColumnDef<InvoiceLine>[] {
  return [
    { id: 'description', header: 'Description', accessorKey: 'description' },
    {
      id: 'quantity',
      header: 'Quantity',
      cell: ({ row }) => <span className="tabular-nums">{count(row.original.quantity)}</span>,
    },
    {
      id: 'unitPrice',
      header: 'Unit price',
      cell: ({ row }) => <span className="tabular-nums">{unitPrice(row.original.unitPrice, currency)}</span>,
    },
    {
      id: 'amount',
      header: 'Amount',
      cell: ({ row }) => <span className="tabular-nums">{money(row.original.amountMinor, currency)}</span>,
    },
  ];
}

/** The invoice's lines in the order issued, then the subtotal (when credits apply) and the total. */
export function InvoiceLines({ invoice }: { invoice: InvoiceData }) {
  const { currency, lines } = invoice;
  return (
    <>
      <DataTable
        label="Invoice lines"
        columns={lineColumns(currency).map((column) => ({ ...column, enableSorting: false }))}
        data={lines}
        getRowId={(line) => line.id}
        pageSize={Math.max(20, lines.length)}
        rowTestId="invoice-line"
      />
      <dl className="mt-3 ml-auto grid w-fit grid-cols-[auto_auto] gap-x-6 gap-y-1 font-semibold">
        {invoice.subtotalMinor !== invoice.totalMinor ? (
          <>
            <dt>Subtotal</dt>
            <dd className="m-0 text-right tabular-nums">{money(invoice.subtotalMinor, currency)}</dd>
          </>
        ) : null}
        <dt>Total ({currency.toUpperCase()})</dt>
        <dd className="m-0 text-right tabular-nums" data-testid="invoice-total">
          {money(invoice.totalMinor, currency)}
        </dd>
      </dl>
    </>
  );
}
