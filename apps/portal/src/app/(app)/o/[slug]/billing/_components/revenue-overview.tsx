'use client';

import { useQuery } from '@tanstack/react-query';
import { count, MoneyTotals } from '~/components/billing/format';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';
import { currenciesOf } from './billing-view';
import styles from './revenue.module.css';
import { MonthlyRevenueChart, PaidSubscriptionsChart, RevenueShareChart } from './revenue-charts';

const MONTHS = 12;
const DELETED = '(deleted)';

function useOverview(orgSlug: string) {
  const trpc = useTRPC();
  return useQuery(trpc.revenue.overview.queryOptions({ orgSlug, months: MONTHS }));
}

/** MRR, paid subscriptions and billed revenue per month, revenue by API and by plan, as charts. */
export function RevenueOverview({ orgSlug }: { orgSlug: string }) {
  const view = useOverview(orgSlug);
  return (
    <section className="card" aria-labelledby="revenue-overview-title">
      <h2 id="revenue-overview-title">Revenue overview</h2>
      <QueryState query={view} pendingLabel="Loading revenue charts">
        {(data) => <Overview orgSlug={orgSlug} data={data} />}
      </QueryState>
    </section>
  );
}

type OverviewData = NonNullable<ReturnType<typeof useOverview>['data']>;

function Overview({ orgSlug, data }: { orgSlug: string; data: OverviewData }) {
  const { mrr, paidSubscriptions, breakdown } = data;
  const subscriptions = mrr.totals.reduce((sum, t) => sum + t.subscriptions, 0);
  return (
    <>
      <ul className={styles.stats}>
        <li>
          <span className={styles.statLabel}>MRR</span>
          <span className={styles.statValue} data-testid="stat-mrr">
            <MoneyTotals totals={mrr.totals} empty="None yet" />
          </span>
        </li>
        <li>
          <span className={styles.statLabel}>Active paid subscriptions</span>
          <span className={styles.statValue} data-testid="stat-paid-subscriptions">
            {count(subscriptions)}
          </span>
        </li>
        <li>
          <span className={styles.statLabel}>In a free trial</span>
          <span className={styles.statValue}>{count(mrr.inTrial)}</span>
        </li>
      </ul>
      <p className="muted">
        MRR is the fixed monthly fees of active subscriptions outside a trial; usage charges come on top. The
        charts below cover invoices issued in the last {MONTHS} months.
      </p>
      {paidSubscriptions.currencies.length === 0 && breakdown.byApi.length === 0 ? (
        <EmptyState
          title="No paid invoices issued yet: charts appear once a billing period closes."
          description="Price a plan so its subscribers are invoiced at the end of each period."
          action={{ label: 'Go to your APIs', href: `/o/${orgSlug}/apis` }}
        />
      ) : (
        <div className={styles.charts}>
          {paidSubscriptions.currencies.map((c) => (
            <PaidSubscriptionsChart key={`subs-${c.currency}`} currency={c.currency} points={c.points} />
          ))}
          {paidSubscriptions.currencies.map((c) => (
            <MonthlyRevenueChart key={`billed-${c.currency}`} currency={c.currency} points={c.points} />
          ))}
          {currenciesOf(breakdown.byApi).map((currency) => (
            <RevenueShareChart
              key={`api-${currency}`}
              title="Revenue by API"
              testId="chart-revenue-by-api"
              currency={currency}
              rows={breakdown.byApi
                .filter((r) => r.currency === currency)
                .map((r) => ({ label: r.apiName ?? DELETED, amountMinor: r.amountMinor }))}
            />
          ))}
          {currenciesOf(breakdown.byPlan).map((currency) => (
            <RevenueShareChart
              key={`plan-${currency}`}
              title="Revenue by plan"
              testId="chart-revenue-by-plan"
              currency={currency}
              rows={breakdown.byPlan
                .filter((r) => r.currency === currency)
                .map((r) => ({
                  label: `${r.apiName ?? DELETED} · ${r.planName ?? DELETED}`,
                  amountMinor: r.amountMinor,
                }))}
            />
          ))}
        </div>
      )}
    </>
  );
}
