'use client';

import Link from 'next/link';
import { day, money } from '~/components/billing/format';
import { type ColumnDef, DataTable } from '~/components/ui/data-table';
import { noChargeText } from './billing-view';
import { type SubscriptionState, SubscriptionStateCell } from './subscription-state';
import { UsageBar } from './usage-bar';

export interface PeriodRow {
  subscriptionId: string;
  state: SubscriptionState;
  paymentMethodError: string | null;
  retiredAt: Date | null;
  api: { name: string; slug: string; providerOrg: { slug: string; name: string } };
  app: { name: string };
  plan: { name: string; monthlyQuota: number | null };
  period: { start: Date; end: Date };
  trialEndsAt: Date | null;
  billableUsed: bigint;
  projected: { totalMinor: bigint; currency: string; trial?: boolean } | null;
}

function UpcomingCharge({ row }: { row: PeriodRow }) {
  return (
    <span data-testid="billing-projected">
      {row.projected ? (
        <>
          {money(row.projected.totalMinor, row.projected.currency)}
          <span className="muted"> on {day(row.period.end)}</span>
        </>
      ) : (
        <span className="muted">{noChargeText(row.state)}</span>
      )}
      {row.projected?.trial ? <span className="muted"> (free trial)</span> : null}
    </span>
  );
}

function periodColumns(orgSlug: string, payReason: string | null): ColumnDef<PeriodRow>[] {
  return [
    {
      id: 'api',
      header: 'API',
      accessorFn: (row) => row.api.name,
      cell: ({ row: { original } }) => (
        <>
          <Link href={`/catalog/${original.api.providerOrg.slug}/${original.api.slug}`}>
            {original.api.name}
          </Link>{' '}
          <span className="muted">by {original.api.providerOrg.name}</span>
        </>
      ),
    },
    { id: 'app', header: 'App', accessorFn: (row) => row.app.name },
    { id: 'plan', header: 'Plan', accessorFn: (row) => row.plan.name },
    {
      id: 'state',
      header: 'State',
      accessorKey: 'state',
      cell: ({ row: { original } }) => (
        <SubscriptionStateCell orgSlug={orgSlug} row={original} payReason={payReason} />
      ),
    },
    {
      id: 'period',
      header: 'Period',
      enableSorting: false,
      cell: ({ row: { original } }) => (
        <>
          {day(original.period.start)} → {day(original.period.end)}
          {original.trialEndsAt ? (
            <span className="muted" data-testid="billing-trial">
              {' '}
              (free trial until {day(original.trialEndsAt)})
            </span>
          ) : null}
        </>
      ),
    },
    {
      id: 'usage',
      header: 'Usage to date',
      accessorKey: 'billableUsed',
      cell: ({ row: { original } }) => (
        <UsageBar used={original.billableUsed} quota={original.plan.monthlyQuota} />
      ),
    },
    {
      id: 'upcoming',
      header: 'Upcoming charge',
      enableSorting: false,
      cell: ({ row: { original } }) => <UpcomingCharge row={original} />,
    },
  ];
}

/** The consumer's subscriptions this period, one row each. */
export function PeriodTable({
  orgSlug,
  rows,
  payReason,
}: {
  orgSlug: string;
  rows: PeriodRow[];
  payReason: string | null;
}) {
  return (
    <DataTable
      label="Subscriptions this period"
      columns={periodColumns(orgSlug, payReason)}
      data={rows}
      getRowId={(row) => row.subscriptionId}
      rowTestId="billing-subscription"
    />
  );
}
