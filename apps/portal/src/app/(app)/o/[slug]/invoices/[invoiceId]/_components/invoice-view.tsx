'use client';

import { useQueryClient } from '@tanstack/react-query';
import { InvoiceStatus } from '~/components/billing/format';
import { SettleInvoice } from '~/components/billing/settle-invoice';
import { Button } from '~/components/ui/button';
import { buttonClasses } from '~/components/ui/button-classes';
import { useTRPC } from '~/trpc/client';
import { InvoiceFacts } from './invoice-facts';
import { InvoiceLines } from './invoice-lines';
import type { InvoiceData } from './use-invoice';

/** The invoice as a printable document, with print, CSV and (for its provider) settle actions. */
export function InvoiceView({ orgSlug, invoice }: { orgSlug: string; invoice: InvoiceData }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const isLocal = invoice.billedVia === 'local';
  // Only the issuing organization's billing managers settle an invoice, and only a local open one:
  // Stripe collects the others itself.
  const maySettle = invoice.viewerIsProvider && isLocal && invoice.status === 'FINALIZED';
  return (
    <article className="card invoice" aria-labelledby="invoice-title">
      <div className="page-head">
        <h1 id="invoice-title">Invoice {invoice.number}</h1>
        <InvoiceStatus status={invoice.status} />
      </div>
      {isLocal ? (
        <p className="local-note" data-testid="local-invoice-note">
          Local invoice — not collected through Stripe
        </p>
      ) : (
        <p className="muted">Collected through Stripe.</p>
      )}
      <InvoiceFacts invoice={invoice} />
      <InvoiceLines invoice={invoice} />
      <div className="no-print mt-4 flex flex-wrap items-start gap-2">
        <Button variant="secondary" onClick={() => window.print()}>
          Print
        </Button>
        <a className={buttonClasses('secondary')} href={`/api/invoices/${invoice.id}/csv`} download>
          Download CSV
        </a>
        {maySettle ? (
          <SettleInvoice
            orgSlug={orgSlug}
            invoiceId={invoice.id}
            number={invoice.number}
            onChanged={() => queryClient.invalidateQueries({ queryKey: trpc.billing.pathKey() })}
          />
        ) : null}
      </div>
    </article>
  );
}
