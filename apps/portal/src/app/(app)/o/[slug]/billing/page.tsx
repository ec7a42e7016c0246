'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { count, day, InvoiceStatus, MoneyTotals, money } from '~/components/billing/format';
import { SelectField } from '../../../../../components/config-fields';
import { ErrorState, FormError, Loading } from '../../../../../components/form';
import { OrgCrumb } from '../../../../../components/org-crumb';
import { can } from '../../../../../server/permissions';
import { formError, useTRPC } from '../../../../../trpc/client';
import { ProviderBilling } from './_components/provider-billing';

const PAGE_SIZE = 10;
const STATUS_FILTERS = [
  { value: '', label: 'All' },
  { value: 'FINALIZED', label: 'Open' },
  { value: 'PAID', label: 'Paid' },
  { value: 'VOID', label: 'Void' },
] as const;
type StatusFilter = (typeof STATUS_FILTERS)[number]['value'];

function UsageBar({ used, quota }: { used: bigint; quota: number | null }) {
  if (quota === null) return <span>{count(used)} requests (no quota)</span>;
  // Only the bar's length goes through a float; the figures shown are exact.
  const ratio = quota > 0 ? Math.min(1, Number(used) / quota) : 1;
  return (
    <div>
      <progress
        max={1000}
        value={Math.round(ratio * 1000)}
        style={{ width: '100%', maxWidth: '12rem', display: 'block' }}
        aria-label={`${count(used)} of ${count(quota)} requests used`}
      />
      <span data-testid="billing-usage">
        {count(used)} / {count(quota)} requests
      </span>
    </div>
  );
}

function ThisPeriod({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const overview = useQuery(trpc.billing.consumerOverview.queryOptions({ orgSlug }));
  return (
    <section className="card" aria-labelledby="period-title">
      <h2 id="period-title">This period</h2>
      {overview.isPending ? (
        <Loading what="Loading usage" />
      ) : overview.isError ? (
        <ErrorState error={overview.error} />
      ) : overview.data.subscriptions.length === 0 ? (
        <p className="empty">
          No active subscriptions. Find an API in the <Link href="/catalog">catalog</Link>.
        </p>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table stack">
              <thead>
                <tr>
                  <th scope="col">API</th>
                  <th scope="col">App</th>
                  <th scope="col">Plan</th>
                  <th scope="col">Period</th>
                  <th scope="col">Usage</th>
                  <th scope="col">Projected</th>
                </tr>
              </thead>
              <tbody>
                {overview.data.subscriptions.map((row) => (
                  <tr key={row.subscriptionId} data-testid="billing-subscription">
                    <td data-label="API">
                      <Link href={`/catalog/${row.api.providerOrg.slug}/${row.api.slug}`}>
                        {row.api.name}
                      </Link>{' '}
                      <span className="muted">by {row.api.providerOrg.name}</span>
                    </td>
                    <td data-label="App">{row.app.name}</td>
                    <td data-label="Plan">
                      {row.plan.name}
                      {row.status !== 'ACTIVE' ? (
                        <span className="badge status-suspended"> {row.status}</span>
                      ) : null}
                    </td>
                    <td data-label="Period">
                      {day(row.period.start)} → {day(row.period.end)}
                    </td>
                    <td data-label="Usage">
                      <UsageBar used={row.billableUsed} quota={row.plan.monthlyQuota} />
                    </td>
                    <td data-label="Projected" data-testid="billing-projected">
                      {row.projected ? (
                        money(row.projected.totalMinor, row.projected.currency)
                      ) : (
                        <span className="muted">Pricing unavailable</span>
                      )}
                      {row.projected?.trial ? <span className="muted"> (free trial)</span> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p>
            Projected for this period: <MoneyTotals totals={overview.data.projectedTotals} />{' '}
            <span className="muted">(usage so far extrapolated to the end of each period)</span>
          </p>
        </>
      )}
    </section>
  );
}

function MyInvoices({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState<StatusFilter>('');
  const invoices = useQuery(
    trpc.billing.invoices.queryOptions({
      orgSlug,
      side: 'customer',
      page,
      pageSize: PAGE_SIZE,
      ...(status ? { status } : {}),
    }),
  );
  const pages = invoices.data ? Math.max(1, Math.ceil(invoices.data.total / PAGE_SIZE)) : 1;
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
      {invoices.isPending ? (
        <Loading what="Loading invoices" />
      ) : invoices.isError ? (
        <ErrorState error={invoices.error} />
      ) : invoices.data.rows.length === 0 ? (
        <p className="empty">No invoices yet. They are issued when a billing period ends.</p>
      ) : (
        <div className="table-wrap">
          <table className="table stack" aria-label="Invoices">
            <thead>
              <tr>
                <th scope="col">Invoice</th>
                <th scope="col">From</th>
                <th scope="col">Period</th>
                <th scope="col">Status</th>
                <th scope="col">Total</th>
                <th scope="col">Due</th>
                <th scope="col">Export</th>
              </tr>
            </thead>
            <tbody>
              {invoices.data.rows.map((row) => (
                <tr key={row.id}>
                  <td data-label="Invoice">
                    <Link href={`/o/${orgSlug}/invoices/${row.id}`}>{row.number}</Link>
                  </td>
                  <td data-label="From">{row.providerOrg.name}</td>
                  <td data-label="Period">
                    {day(row.periodStart)} → {day(row.periodEnd)}
                  </td>
                  <td data-label="Status">
                    <InvoiceStatus status={row.status} />
                  </td>
                  <td data-label="Total">{money(row.totalMinor, row.currency)}</td>
                  <td data-label="Due">{row.status === 'FINALIZED' ? day(row.dueAt) : '—'}</td>
                  <td data-label="Export">
                    <a href={`/api/invoices/${row.id}/csv`} download>
                      CSV<span className="visually-hidden"> of {row.number}</span>
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pages > 1 ? (
        <div className="actions">
          <button type="button" className="secondary" disabled={page <= 1} onClick={() => setPage(page - 1)}>
            Previous
          </button>
          <span className="muted">
            Page {page} of {pages}
          </span>
          <button
            type="button"
            className="secondary"
            disabled={page >= pages}
            onClick={() => setPage(page + 1)}
          >
            Next
          </button>
        </div>
      ) : null}
    </section>
  );
}

/** Platform operators can close every ended period now instead of waiting for the scheduled run. */
function ClosePeriods() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const close = useMutation(
    trpc.billing.closePeriodsNow.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.billing.pathKey() }),
    }),
  );
  return (
    <section className="card" aria-labelledby="close-title">
      <h2 id="close-title">Billing run</h2>
      <p className="muted">Platform administrators: invoice every billing period that has ended.</p>
      <div className="form-actions">
        <button type="button" disabled={close.isPending} onClick={() => close.mutate()}>
          {close.isPending ? 'Closing…' : 'Close billing periods now'}
        </button>
        <span role="status">
          {close.data
            ? `${close.data.invoicesCreated} invoice${close.data.invoicesCreated === 1 ? '' : 's'} created` +
              (close.data.skipped.length > 0 ? `, ${close.data.skipped.length} skipped` : '')
            : ''}
        </span>
      </div>
      <FormError message={formError(close.error)} />
    </section>
  );
}

export default function BillingPage() {
  const { slug } = useParams<{ slug: string }>();
  const trpc = useTRPC();
  const org = useQuery(trpc.org.get.queryOptions({ orgSlug: slug }));
  const admin = useQuery(trpc.settings.amIAdmin.queryOptions());
  if (org.isPending) return <Loading what="Loading billing" />;
  if (org.isError) return <ErrorState error={org.error} />;
  const canManage = can(org.data.role, 'billing.manage');
  return (
    <>
      <OrgCrumb slug={slug} />
      <div className="page-head">
        <h1>Billing</h1>
      </div>
      <p className="muted">
        What {org.data.name} uses and pays for{canManage ? ', and what its APIs earn' : ''}.
      </p>
      <ThisPeriod orgSlug={slug} />
      <MyInvoices orgSlug={slug} />
      {canManage ? <ProviderBilling orgSlug={slug} /> : null}
      {admin.data === true ? <ClosePeriods /> : null}
    </>
  );
}
