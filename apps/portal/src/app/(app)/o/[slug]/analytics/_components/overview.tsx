'use client';

import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { count, ms, percent, utcMinute } from '~/lib/format';
import { useTRPC } from '~/trpc/client';
import { ErrorRateChart, LatencyChart, RequestsChart } from './charts';
import { ERROR_RATE_HELP, ERROR_RATE_LABEL } from './error-rate';
import type { Filter } from './scope';

interface Totals {
  requests: number;
  errorRate: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

function Stats({ totals }: { totals: Totals }) {
  const stats: Array<[string, string, string]> = [
    ['Requests', count(totals.requests), 'stat-requests'],
    [ERROR_RATE_LABEL, percent(totals.errorRate), 'stat-error-rate'],
    ['p50', ms(totals.p50), 'stat-p50'],
    ['p95', ms(totals.p95), 'stat-p95'],
    ['p99', ms(totals.p99), 'stat-p99'],
  ];
  return (
    <ul className="m-0 mb-4 grid list-none grid-cols-[repeat(auto-fit,minmax(140px,1fr))] gap-3 p-0">
      {stats.map(([label, value, testId]) => (
        <li key={label} className="rounded-card border border-line bg-surface px-4 py-3">
          <span className="block text-sm font-semibold text-muted">{label}</span>
          <span className="block text-[1.35rem] font-bold" data-testid={testId}>
            {value}
          </span>
        </li>
      ))}
    </ul>
  );
}

/**
 * The range's totals as stat tiles and its requests, error rate and latency as charts. `widen` is the
 * next step offered when the range had no traffic (absent when there is no wider range to offer).
 */
export function Overview({ filter, widen }: { filter: Filter; widen?: ReactNode }) {
  const trpc = useTRPC();
  const series = useQuery(trpc.analytics.timeseries.queryOptions(filter));
  return (
    <section aria-labelledby="overview-title" className="min-w-0">
      <h2 id="overview-title" className="sr-only">
        Overview
      </h2>
      <QueryState query={series} pendingLabel="Loading charts">
        {({ totals, points, grain, from, to }) => (
          <>
            <Stats totals={totals} />
            {totals.requests === 0 && totals.p50 === null ? (
              <EmptyState
                title="No traffic in this range."
                description="Calls through the gateway show up within seconds."
                action={widen}
              />
            ) : (
              <div className="mb-4 grid grid-cols-[repeat(auto-fit,minmax(min(100%,420px),1fr))] gap-4">
                <RequestsChart points={points} from={from} to={to} />
                <ErrorRateChart points={points} from={from} to={to} />
                <LatencyChart points={points} from={from} to={to} />
              </div>
            )}
            <p className="muted">
              {grain === 'hour' ? 'Per hour' : 'Per day'}, {utcMinute(from)} → {utcMinute(to)} UTC. Requests
              are those admitted (what quotas and invoices count). {ERROR_RATE_HELP} Latency covers every
              request the gateway answered for these APIs.
            </p>
          </>
        )}
      </QueryState>
    </section>
  );
}
