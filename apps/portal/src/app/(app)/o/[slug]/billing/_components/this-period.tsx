'use client';

import { useQuery } from '@tanstack/react-query';
import { MoneyTotals } from '~/components/billing/format';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';
import { waitsForStripe } from './billing-view';
import { CheckoutNotice, useCheckoutReturn } from './checkout-notice';
import { PeriodTable } from './period-table';

/** Polls after Stripe Checkout at most this many times (2 s apart) for the webhook to arrive. */
const MAX_POLLS = 30;

/**
 * The consumer's subscriptions this period: state, trial, usage to date and the upcoming charge.
 * Back from Stripe Checkout it polls until the webhook has moved the waiting subscriptions on.
 */
export function ThisPeriod({ orgSlug, payReason }: { orgSlug: string; payReason: string | null }) {
  const trpc = useTRPC();
  const checkout = useCheckoutReturn();
  const overview = useQuery({
    ...trpc.billing.consumerOverview.queryOptions({ orgSlug }),
    refetchInterval: (query) =>
      checkout === 'done' &&
      query.state.dataUpdateCount < MAX_POLLS &&
      waitsForStripe(query.state.data?.subscriptions)
        ? 2000
        : false,
  });
  return (
    <section className="card" aria-labelledby="period-title">
      <h2 id="period-title">This period</h2>
      <CheckoutNotice from={checkout} waiting={waitsForStripe(overview.data?.subscriptions)} />
      <QueryState
        query={overview}
        pendingLabel="Loading usage"
        isEmpty={(data) => data.subscriptions.length === 0}
        empty={
          <EmptyState
            title="No subscriptions."
            description="Subscribe an app to an API's plan to see its usage and upcoming charge here."
            action={{ label: 'Find an API in the catalog', href: '/catalog' }}
          />
        }
      >
        {(data) => (
          <>
            <PeriodTable orgSlug={orgSlug} rows={data.subscriptions} payReason={payReason} />
            <p>
              Upcoming for this period: <MoneyTotals totals={data.projectedTotals} />{' '}
              <span className="muted">(usage so far extrapolated to the end of each period)</span>
            </p>
          </>
        )}
      </QueryState>
    </section>
  );
}
