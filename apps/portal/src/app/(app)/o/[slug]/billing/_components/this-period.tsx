'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { count, day, MoneyTotals, money } from '~/components/billing/format';
import { ErrorState, Loading } from '../../../../../../components/form';
import { useTRPC } from '../../../../../../trpc/client';
import { CheckoutNotice, useCheckoutReturn } from './checkout-notice';
import { SubscriptionStateCell } from './subscription-state';

function UsageBar({ used, quota }: { used: bigint; quota: number | null }) {
  if (quota === null) return <span data-testid="billing-usage">{count(used)} requests (no quota)</span>;
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

/**
 * The consumer's subscriptions this period: state, trial, usage to date and the upcoming charge.
 * Back from Stripe Checkout it polls until the webhook has moved the waiting subscriptions on.
 */
export function ThisPeriod({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const checkout = useCheckoutReturn();
  const overview = useQuery({
    ...trpc.billing.consumerOverview.queryOptions({ orgSlug }),
    refetchInterval: (query) =>
      checkout === 'done' &&
      query.state.dataUpdateCount < 30 &&
      query.state.data?.subscriptions.some(
        (row) => row.state === 'AWAITING_PAYMENT_METHOD' && !row.paymentMethodError,
      )
        ? 2000
        : false,
  });
  const waiting =
    overview.data?.subscriptions.some(
      (row) => row.state === 'AWAITING_PAYMENT_METHOD' && !row.paymentMethodError,
    ) ?? false;
  return (
    <section className="card" aria-labelledby="period-title">
      <h2 id="period-title">This period</h2>
      <CheckoutNotice from={checkout} waiting={waiting} />
      {overview.isPending ? (
        <Loading what="Loading usage" />
      ) : overview.isError ? (
        <ErrorState error={overview.error} />
      ) : overview.data.subscriptions.length === 0 ? (
        <p className="empty">
          No subscriptions. Find an API in the <Link href="/catalog">catalog</Link>.
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
                  <th scope="col">State</th>
                  <th scope="col">Period</th>
                  <th scope="col">Usage to date</th>
                  <th scope="col">Upcoming charge</th>
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
                    <td data-label="Plan">{row.plan.name}</td>
                    <td data-label="State">
                      <SubscriptionStateCell orgSlug={orgSlug} row={row} />
                    </td>
                    <td data-label="Period">
                      {day(row.period.start)} → {day(row.period.end)}
                      {row.trialEndsAt ? (
                        <span className="muted" data-testid="billing-trial">
                          {' '}
                          (free trial until {day(row.trialEndsAt)})
                        </span>
                      ) : null}
                    </td>
                    <td data-label="Usage to date">
                      <UsageBar used={row.billableUsed} quota={row.plan.monthlyQuota} />
                    </td>
                    <td data-label="Upcoming charge" data-testid="billing-projected">
                      {row.projected ? (
                        <>
                          {money(row.projected.totalMinor, row.projected.currency)}
                          <span className="muted"> on {day(row.period.end)}</span>
                        </>
                      ) : (
                        <span className="muted">
                          {row.state === 'ACTIVE' || row.state === 'SUSPENDED'
                            ? 'Pricing unavailable'
                            : 'None'}
                        </span>
                      )}
                      {row.projected?.trial ? <span className="muted"> (free trial)</span> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p>
            Upcoming for this period: <MoneyTotals totals={overview.data.projectedTotals} />{' '}
            <span className="muted">(usage so far extrapolated to the end of each period)</span>
          </p>
        </>
      )}
    </section>
  );
}
