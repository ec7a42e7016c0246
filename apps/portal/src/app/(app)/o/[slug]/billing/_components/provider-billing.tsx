'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { count, day, InvoiceStatus, MoneyTotals, money } from '~/components/billing/format';
import { ErrorState, FormError, Loading } from '../../../../../../components/form';
import { formError, useTRPC } from '../../../../../../trpc/client';
import { RevenueOverview } from './revenue-overview';

const REVENUE_MONTHS = 12;
const TOP_DAYS = 30;

function Revenue({ orgSlug }: { orgSlug: string }) {
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
      {revenue.isPending ? (
        <Loading what="Loading revenue" />
      ) : revenue.isError ? (
        <ErrorState error={revenue.error} />
      ) : revenue.data.rows.length === 0 ? (
        <p className="empty">No invoices issued yet.</p>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table stack" aria-label="Revenue by month, API and plan">
              <thead>
                <tr>
                  <th scope="col">Month</th>
                  <th scope="col">API</th>
                  <th scope="col">Plan</th>
                  <th scope="col">Invoices</th>
                  <th scope="col">Invoiced</th>
                  <th scope="col">Paid</th>
                </tr>
              </thead>
              <tbody>
                {revenue.data.rows.map((row) => (
                  <tr key={`${row.month}|${row.apiId}|${row.planId}|${row.currency}`}>
                    <td data-label="Month">{row.month}</td>
                    <td data-label="API">{row.apiName ?? <span className="muted">(deleted)</span>}</td>
                    <td data-label="Plan">{row.planName ?? <span className="muted">(deleted)</span>}</td>
                    <td data-label="Invoices">{row.invoices}</td>
                    <td data-label="Invoiced">{money(row.invoicedMinor, row.currency)}</td>
                    <td data-label="Paid">{money(row.paidMinor, row.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p>
            Invoiced: <MoneyTotals totals={revenue.data.invoicedTotals} /> · Paid:{' '}
            <MoneyTotals totals={revenue.data.paidTotals} />
          </p>
        </>
      )}
    </section>
  );
}

function TopConsumers({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const top = useQuery(trpc.billing.topConsumers.queryOptions({ orgSlug, days: TOP_DAYS, limit: 10 }));
  return (
    <section className="card" aria-labelledby="top-title">
      <h2 id="top-title">Top consumers</h2>
      <p className="muted">The last {TOP_DAYS} days.</p>
      {top.isPending ? (
        <Loading what="Loading consumers" />
      ) : top.isError ? (
        <ErrorState error={top.error} />
      ) : (
        <div className="row">
          <div>
            <h3>By revenue</h3>
            {top.data.byRevenue.length === 0 ? (
              <p className="empty">No invoices in this window.</p>
            ) : (
              <ol aria-label="Top consumers by revenue">
                {top.data.byRevenue.map((row) => (
                  <li key={`${row.orgId}|${row.currency}`}>
                    {row.name} — {money(row.totalMinor, row.currency)}{' '}
                    <span className="muted">({row.invoices} invoices)</span>
                  </li>
                ))}
              </ol>
            )}
          </div>
          <div>
            <h3>By requests</h3>
            {top.data.byRequests.length === 0 ? (
              <p className="empty">No requests in this window.</p>
            ) : (
              <ol aria-label="Top consumers by requests">
                {top.data.byRequests.map((row) => (
                  <li key={row.orgId}>
                    {row.name} — {count(row.requests)} requests{' '}
                    <span className="muted">({count(row.billable)} billable)</span>
                  </li>
                ))}
              </ol>
            )}
          </div>
        </div>
      )}
    </section>
  );
}

function UnpaidRow({
  orgSlug,
  row,
  onChanged,
}: {
  orgSlug: string;
  row: {
    id: string;
    number: string;
    status: string;
    currency: string;
    totalMinor: bigint;
    billedVia: string;
    dueAt: Date | null;
    overdue: boolean;
    customerOrg: { name: string };
  };
  onChanged: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const markPaid = useMutation(trpc.billing.markPaid.mutationOptions({ onSuccess: onChanged }));
  const voidIt = useMutation(trpc.billing.void.mutationOptions({ onSuccess: onChanged }));
  const busy = markPaid.isPending || voidIt.isPending;
  return (
    <tr>
      <td data-label="Invoice">
        <Link href={`/o/${orgSlug}/invoices/${row.id}`}>{row.number}</Link>
      </td>
      <td data-label="Customer">{row.customerOrg.name}</td>
      <td data-label="Total">{money(row.totalMinor, row.currency)}</td>
      <td data-label="Due">
        {day(row.dueAt)} <InvoiceStatus status={row.status} overdue={row.overdue} />
      </td>
      <td>
        {row.billedVia === 'local' ? (
          <div className="actions">
            <button
              type="button"
              disabled={busy}
              aria-label={`Mark ${row.number} paid`}
              onClick={() => markPaid.mutate({ orgSlug, invoiceId: row.id })}
            >
              Mark paid
            </button>
            <button
              type="button"
              className="danger"
              disabled={busy}
              aria-label={`Void ${row.number}`}
              onClick={() => voidIt.mutate({ orgSlug, invoiceId: row.id })}
            >
              Void
            </button>
          </div>
        ) : (
          <span className="muted">Collected by Stripe</span>
        )}
        <FormError message={formError(markPaid.error) ?? formError(voidIt.error)} />
      </td>
    </tr>
  );
}

function UnpaidInvoices({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const unpaid = useQuery(trpc.billing.unpaidInvoices.queryOptions({ orgSlug }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.billing.pathKey() });
  return (
    <section className="card" aria-labelledby="unpaid-title">
      <h2 id="unpaid-title">Unpaid invoices</h2>
      {unpaid.isPending ? (
        <Loading what="Loading unpaid invoices" />
      ) : unpaid.isError ? (
        <ErrorState error={unpaid.error} />
      ) : unpaid.data.rows.length === 0 ? (
        <p className="empty">Every issued invoice is paid.</p>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table stack" aria-label="Unpaid invoices">
              <thead>
                <tr>
                  <th scope="col">Invoice</th>
                  <th scope="col">Customer</th>
                  <th scope="col">Total</th>
                  <th scope="col">Due</th>
                  <th scope="col">Payment</th>
                </tr>
              </thead>
              <tbody>
                {unpaid.data.rows.map((row) => (
                  <UnpaidRow key={row.id} orgSlug={orgSlug} row={row} onChanged={refresh} />
                ))}
              </tbody>
            </table>
          </div>
          <p>
            Outstanding: <MoneyTotals totals={unpaid.data.totals} />
          </p>
        </>
      )}
    </section>
  );
}

/** The provider side of the billing page (ADMIN/OWNER: the procedures refuse everyone else). */
export function ProviderBilling({ orgSlug }: { orgSlug: string }) {
  return (
    <>
      <h2>Your APIs' revenue</h2>
      <RevenueOverview orgSlug={orgSlug} />
      <Revenue orgSlug={orgSlug} />
      <UnpaidInvoices orgSlug={orgSlug} />
      <TopConsumers orgSlug={orgSlug} />
    </>
  );
}
