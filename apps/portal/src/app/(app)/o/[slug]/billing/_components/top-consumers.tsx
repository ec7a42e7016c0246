'use client';

import { useQuery } from '@tanstack/react-query';
import { count, money } from '~/components/billing/format';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';

const TOP_DAYS = 30;

/** The consumers that paid most and called most in the last days, side by side. */
export function TopConsumers({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const top = useQuery(trpc.billing.topConsumers.queryOptions({ orgSlug, days: TOP_DAYS, limit: 10 }));
  return (
    <section className="card" aria-labelledby="top-title">
      <h2 id="top-title">Top consumers</h2>
      <p className="muted">The last {TOP_DAYS} days.</p>
      <QueryState query={top} pendingLabel="Loading consumers">
        {(data) => (
          <div className="row">
            <div>
              <h3>By revenue</h3>
              {data.byRevenue.length === 0 ? (
                <EmptyState
                  title="No invoices in this window."
                  description="Consumers appear here once their invoices are issued."
                />
              ) : (
                <ol aria-label="Top consumers by revenue">
                  {data.byRevenue.map((row) => (
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
              {data.byRequests.length === 0 ? (
                <EmptyState
                  title="No requests in this window."
                  description="Publish an API so consumers can find it in the catalog and call it."
                />
              ) : (
                <ol aria-label="Top consumers by requests">
                  {data.byRequests.map((row) => (
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
      </QueryState>
    </section>
  );
}
