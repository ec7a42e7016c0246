'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { count, day, InvoiceStatus, money, unitPrice } from '~/components/billing/format';
import { ErrorState, FormError, Loading } from '../../../../../../components/form';
import { OrgCrumb } from '../../../../../../components/org-crumb';
import { formError, isNotFound, useTRPC } from '../../../../../../trpc/client';

// Printing shows the invoice alone: no site navigation, breadcrumbs or buttons, no card chrome.
const PRINT_CSS = `
@media print {
  .site-header, .crumbs, .no-print { display: none !important; }
  body { background: #fff; }
  .container { max-width: none; padding: 0; }
  .invoice { border: none; padding: 0; margin: 0; }
  .invoice .table th, .invoice .table td { padding: 0.3rem 0.4rem; }
  .invoice a { color: inherit; text-decoration: none; }
}
.invoice .num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.invoice .totals td { font-weight: 600; border-bottom: none; }
.invoice .local-note { border-left: 3px solid var(--border); padding-left: 0.75rem; }
`;

function ProviderActions({
  orgSlug,
  invoiceId,
  number,
}: {
  orgSlug: string;
  invoiceId: string;
  number: string;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const onSuccess = () => queryClient.invalidateQueries({ queryKey: trpc.billing.pathKey() });
  const markPaid = useMutation(trpc.billing.markPaid.mutationOptions({ onSuccess }));
  const voidIt = useMutation(trpc.billing.void.mutationOptions({ onSuccess }));
  const busy = markPaid.isPending || voidIt.isPending;
  return (
    <>
      <button
        type="button"
        disabled={busy}
        aria-label={`Mark ${number} paid`}
        onClick={() => markPaid.mutate({ orgSlug, invoiceId })}
      >
        Mark paid
      </button>
      <button
        type="button"
        className="danger"
        disabled={busy}
        aria-label={`Void ${number}`}
        onClick={() => voidIt.mutate({ orgSlug, invoiceId })}
      >
        Void
      </button>
      <FormError message={formError(markPaid.error) ?? formError(voidIt.error)} />
    </>
  );
}

export default function InvoicePage() {
  const { slug, invoiceId } = useParams<{ slug: string; invoiceId: string }>();
  const trpc = useTRPC();
  const invoice = useQuery(trpc.billing.invoice.queryOptions({ orgSlug: slug, invoiceId }));
  const crumb = <OrgCrumb slug={slug} section={{ label: 'Billing', href: `/o/${slug}/billing` }} />;
  if (invoice.isPending) return <Loading what="Loading invoice" />;
  if (invoice.isError) {
    return (
      <>
        {crumb}
        {isNotFound(invoice.error) ? (
          <p className="empty card">No such invoice.</p>
        ) : (
          <ErrorState error={invoice.error} />
        )}
      </>
    );
  }
  const data = invoice.data;
  const isLocal = data.billedVia === 'local';
  return (
    <>
      <style>{PRINT_CSS}</style>
      {crumb}
      <article className="card invoice" aria-labelledby="invoice-title">
        <div className="page-head">
          <h1 id="invoice-title">Invoice {data.number}</h1>
          <InvoiceStatus status={data.status} />
        </div>
        {isLocal ? (
          <p className="local-note" data-testid="local-invoice-note">
            Local invoice — not collected through Stripe
          </p>
        ) : (
          <p className="muted">Collected through Stripe.</p>
        )}
        <dl className="facts">
          <dt>From</dt>
          <dd>{data.providerOrg.name}</dd>
          <dt>Billed to</dt>
          <dd>{data.customerOrg.name}</dd>
          {data.subscription ? (
            <>
              <dt>Subscription</dt>
              <dd>
                {data.subscription.plan.api.name} · {data.subscription.plan.name} · app{' '}
                {data.subscription.app.name}
              </dd>
            </>
          ) : null}
          <dt>Period</dt>
          <dd>
            {day(data.periodStart)} to {day(data.periodEnd)} (UTC)
          </dd>
          <dt>Issued</dt>
          <dd>{day(data.finalizedAt ?? data.createdAt)}</dd>
          {data.status === 'PAID' ? (
            <>
              <dt>Paid</dt>
              <dd>{day(data.paidAt)}</dd>
            </>
          ) : data.status === 'FINALIZED' ? (
            <>
              <dt>Due</dt>
              <dd>{day(data.dueAt)}</dd>
            </>
          ) : null}
        </dl>
        <div className="table-wrap">
          <table className="table" aria-label="Invoice lines">
            <thead>
              <tr>
                <th scope="col">Description</th>
                <th scope="col" className="num">
                  Quantity
                </th>
                <th scope="col" className="num">
                  Unit price
                </th>
                <th scope="col" className="num">
                  Amount
                </th>
              </tr>
            </thead>
            <tbody>
              {data.lines.map((line) => (
                <tr key={line.id} data-testid="invoice-line">
                  <td>{line.description}</td>
                  <td className="num">{count(line.quantity)}</td>
                  <td className="num">{unitPrice(line.unitPrice, data.currency)}</td>
                  <td className="num">{money(line.amountMinor, data.currency)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              {data.subtotalMinor !== data.totalMinor ? (
                <tr className="totals">
                  <td colSpan={3}>Subtotal</td>
                  <td className="num">{money(data.subtotalMinor, data.currency)}</td>
                </tr>
              ) : null}
              <tr className="totals">
                <td colSpan={3}>Total ({data.currency.toUpperCase()})</td>
                <td className="num" data-testid="invoice-total">
                  {money(data.totalMinor, data.currency)}
                </td>
              </tr>
            </tfoot>
          </table>
        </div>
        <div className="actions no-print">
          <button type="button" className="secondary" onClick={() => window.print()}>
            Print
          </button>
          <a className="button" href={`/api/invoices/${data.id}/csv`} download>
            Download CSV
          </a>
          {data.viewerIsProvider && isLocal && data.status === 'FINALIZED' ? (
            <ProviderActions orgSlug={slug} invoiceId={data.id} number={data.number} />
          ) : null}
        </div>
      </article>
    </>
  );
}
