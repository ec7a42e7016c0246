'use client';

import { useParams } from 'next/navigation';
import { OrgCrumb } from '~/components/org-crumb';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { isNotFound } from '~/trpc/client';
import { InvoiceView } from './_components/invoice-view';
import { PRINT_CSS } from './_components/print-css';
import { useInvoice } from './_components/use-invoice';

export default function InvoicePage() {
  const { slug, invoiceId } = useParams<{ slug: string; invoiceId: string }>();
  const invoice = useInvoice(slug, invoiceId);
  const billing = `/o/${slug}/billing`;
  return (
    <>
      <style>{PRINT_CSS}</style>
      <OrgCrumb slug={slug} section={{ label: 'Billing', href: billing }} />
      {invoice.isError && isNotFound(invoice.error) ? (
        <EmptyState
          title="No such invoice."
          description="It may belong to another organization, or the link is mistyped."
          action={{ label: 'Back to billing', href: billing }}
        />
      ) : (
        <QueryState query={invoice} pendingLabel="Loading invoice">
          {(data) => <InvoiceView orgSlug={slug} invoice={data} />}
        </QueryState>
      )}
    </>
  );
}
