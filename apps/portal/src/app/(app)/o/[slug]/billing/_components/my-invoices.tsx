'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { SelectField } from '~/components/config-fields';
import { Button } from '~/components/ui/button';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';
import { INVOICE_PAGE_SIZE, STATUS_FILTERS, type StatusFilter, serverPages } from './billing-view';
import { InvoiceTable, ServerPager } from './invoice-table';

/** The invoices this organization received, newest first, paged by the server. */
export function MyInvoices({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState<StatusFilter>('');
  const invoices = useQuery(
    trpc.billing.invoices.queryOptions({
      orgSlug,
      side: 'customer',
      page,
      pageSize: INVOICE_PAGE_SIZE,
      ...(status ? { status } : {}),
    }),
  );
  const pages = invoices.data ? serverPages(invoices.data.total, INVOICE_PAGE_SIZE) : 1;
  return (
    <section className="card" aria-labelledby="invoices-title">
      <h2 id="invoices-title">Invoices</h2>
      <SelectField
        id="invoice-status-filter"
        label="Show"
        value={status}
        options={STATUS_FILTERS}
        onChange={(e) => {
          setStatus(e.target.value as StatusFilter);
          setPage(1);
        }}
      />
      <QueryState
        query={invoices}
        pendingLabel="Loading invoices"
        isEmpty={(data) => data.rows.length === 0}
        empty={
          status ? (
            <EmptyState
              title="No invoices with this status."
              action={
                <Button variant="secondary" onClick={() => setStatus('')}>
                  Show all invoices
                </Button>
              }
            />
          ) : (
            <EmptyState
              title="No invoices yet."
              description="They are issued when a billing period ends. Until then, “This period” above shows the upcoming charge."
              action={{ label: 'Find an API in the catalog', href: '/catalog' }}
            />
          )
        }
      >
        {(data) => <InvoiceTable orgSlug={orgSlug} rows={data.rows} />}
      </QueryState>
      <ServerPager label="Invoices" page={page} pages={pages} onPage={setPage} />
    </section>
  );
}
