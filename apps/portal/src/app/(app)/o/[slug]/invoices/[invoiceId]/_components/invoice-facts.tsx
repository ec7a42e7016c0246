import { day } from '~/components/billing/format';
import type { InvoiceData } from './use-invoice';

/** Who bills whom, for which subscription and period, and when it was issued, paid or is due. */
export function InvoiceFacts({ invoice }: { invoice: InvoiceData }) {
  return (
    <dl className="facts">
      <dt>From</dt>
      <dd>{invoice.providerOrg.name}</dd>
      <dt>Billed to</dt>
      <dd>{invoice.customerOrg.name}</dd>
      {invoice.subscription ? (
        <>
          <dt>Subscription</dt>
          <dd>
            {invoice.subscription.plan.api.name} · {invoice.subscription.plan.name} · app{' '}
            {invoice.subscription.app.name}
          </dd>
        </>
      ) : null}
      <dt>Period</dt>
      <dd>
        {day(invoice.periodStart)} to {day(invoice.periodEnd)} (UTC)
      </dd>
      <dt>Issued</dt>
      <dd>{day(invoice.finalizedAt ?? invoice.createdAt)}</dd>
      {invoice.status === 'PAID' ? (
        <>
          <dt>Paid</dt>
          <dd>{day(invoice.paidAt)}</dd>
        </>
      ) : invoice.status === 'FINALIZED' ? (
        <>
          <dt>Due</dt>
          <dd>{day(invoice.dueAt)}</dd>
        </>
      ) : null}
    </dl>
  );
}
