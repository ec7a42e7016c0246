'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { day, InvoiceStatus, money } from '~/components/billing/format';
import { SelectField } from '../../../../../components/config-fields';
import { ErrorState, FormError, Loading } from '../../../../../components/form';
import { OrgCrumb } from '../../../../../components/org-crumb';
import { can } from '../../../../../server/permissions';
import { formError, useTRPC } from '../../../../../trpc/client';
import { ProviderBilling } from './_components/provider-billing';
import { ThisPeriod } from './_components/this-period';

const PAGE_SIZE = 10;
const STATUS_FILTERS = [
  { value: '', label: 'All' },
  { value: 'FINALIZED', label: 'Open' },
  { value: 'PAID', label: 'Paid' },
  { value: 'VOID', label: 'Void' },
] as const;
type StatusFilter = (typeof STATUS_FILTERS)[number]['value'];

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
