'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { count, ms, percent, utcMinute } from '~/lib/format';
import { SelectField } from '../../../../../components/config-fields';
import { ErrorState, Loading } from '../../../../../components/form';
import { OrgCrumb } from '../../../../../components/org-crumb';
import { useTRPC } from '../../../../../trpc/client';
import { BurnDownChart, burnSummary } from './_components/burn-down';
import { ErrorRateChart, LatencyChart, RequestsChart } from './_components/charts';
import { ERROR_RATE_HELP, ERROR_RATE_LABEL } from './_components/error-rate';
import { presetRange, RangePicker, type TimeRange } from './_components/range-picker';
import styles from './analytics.module.css';

type Side = 'provider' | 'consumer';
const SIDE_LABEL: Record<Side, string> = { provider: 'My APIs (provider)', consumer: 'My apps (consumer)' };

interface SubscriptionOption {
  id: string;
  api: { id: string; name: string };
  app: { name: string; orgName: string };
  plan: { name: string; monthlyQuota: number | null };
}

interface Filter {
  orgSlug: string;
  side: Side;
  from: Date;
  to: Date;
  apiId?: string;
}

function Overview({ filter }: { filter: Filter }) {
  const trpc = useTRPC();
  const series = useQuery(trpc.analytics.timeseries.queryOptions(filter));
  if (series.isPending) return <Loading what="Loading charts" />;
  if (series.isError) return <ErrorState error={series.error} />;
  const { totals, points, grain, from, to } = series.data;
  const empty = totals.requests === 0 && totals.p50 === null;
  return (
    <section aria-labelledby="overview-title">
      <h2 id="overview-title" className="visually-hidden">
        Overview
      </h2>
      <ul className={styles.stats}>
        {[
          ['Requests', count(totals.requests), 'stat-requests'],
          [ERROR_RATE_LABEL, percent(totals.errorRate), 'stat-error-rate'],
          ['p50', ms(totals.p50), 'stat-p50'],
          ['p95', ms(totals.p95), 'stat-p95'],
          ['p99', ms(totals.p99), 'stat-p99'],
        ].map(([label, value, testId]) => (
          <li key={label}>
            <span className={styles.statLabel}>{label}</span>
            <span className={styles.statValue} data-testid={testId}>
              {value}
            </span>
          </li>
        ))}
      </ul>
      {empty ? (
        <p className="empty card">
          No traffic in this range. Calls through the gateway show up within seconds.
        </p>
      ) : (
        <div className={styles.charts}>
          <RequestsChart points={points} from={from} to={to} />
          <ErrorRateChart points={points} from={from} to={to} />
          <LatencyChart points={points} from={from} to={to} />
        </div>
      )}
      <p className="muted">
        {grain === 'hour' ? 'Per hour' : 'Per day'}, {utcMinute(series.data.from)} →{' '}
        {utcMinute(series.data.to)} UTC. Requests are those admitted (what quotas and invoices count).{' '}
        {ERROR_RATE_HELP} Latency covers every request the gateway answered for these APIs.
      </p>
    </section>
  );
}

function TopList({ filter }: { filter: Filter }) {
  const trpc = useTRPC();
  const top = useQuery(trpc.analytics.top.queryOptions({ ...filter, limit: 10 }));
  const title = filter.side === 'provider' ? 'Top consumers' : 'Top APIs';
  return (
    <section className="card" aria-labelledby="top-title">
      <h2 id="top-title">{title}</h2>
      {top.isPending ? (
        <Loading what={`Loading ${title.toLowerCase()}`} />
      ) : top.isError ? (
        <ErrorState error={top.error} />
      ) : top.data.consumers.length === 0 && top.data.apis.length === 0 ? (
        <p className="empty">Nothing in this range.</p>
      ) : (
        <div className="table-wrap">
          <table className="table stack" aria-label={title}>
            <thead>
              <tr>
                <th scope="col">{filter.side === 'provider' ? 'Consumer' : 'API'}</th>
                {filter.side === 'consumer' ? <th scope="col">Provider</th> : null}
                <th scope="col">Requests</th>
                <th scope="col">5xx</th>
              </tr>
            </thead>
            <tbody>
              {top.data.consumers.map((row) => (
                <tr key={row.orgId}>
                  <td data-label="Consumer">{row.name}</td>
                  <td data-label="Requests">{count(row.requests)}</td>
                  <td data-label="5xx">{count(row.errors)}</td>
                </tr>
              ))}
              {top.data.apis.map((row) => (
                <tr key={row.apiId}>
                  <td data-label="API">
                    <Link href={`/catalog/${row.providerOrg.slug}/${row.slug}`}>{row.name}</Link>
                  </td>
                  <td data-label="Provider">{row.providerOrg.name}</td>
                  <td data-label="Requests">{count(row.requests)}</td>
                  <td data-label="5xx">{count(row.errors)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function BurnDownSection({
  orgSlug,
  side,
  subscriptions,
}: {
  orgSlug: string;
  side: Side;
  subscriptions: SubscriptionOption[];
}) {
  const trpc = useTRPC();
  const [chosen, setChosen] = useState('');
  const subscriptionId = subscriptions.some((s) => s.id === chosen) ? chosen : (subscriptions[0]?.id ?? '');
  const burn = useQuery({
    ...trpc.analytics.quotaBurnDown.queryOptions({ orgSlug, side, subscriptionId }),
    enabled: subscriptionId !== '',
  });
  const label = (s: SubscriptionOption) =>
    `${s.api.name} · ${side === 'provider' ? `${s.app.orgName} / ` : ''}${s.app.name} (${s.plan.name})`;
  return (
    <section className="card" aria-labelledby="burn-title">
      <h2 id="burn-title">Quota this billing period</h2>
      {subscriptions.length === 0 ? (
        <p className="empty">No subscriptions yet.</p>
      ) : (
        <>
          <SelectField
            id="burn-subscription"
            label="Subscription"
            value={subscriptionId}
            options={subscriptions.map((s) => ({ value: s.id, label: label(s) }))}
            onChange={(e) => setChosen(e.target.value)}
          />
          {burn.isPending ? (
            <Loading what="Loading quota" />
          ) : burn.isError ? (
            <ErrorState error={burn.error} />
          ) : (
            <>
              <p data-testid="burn-summary">{burnSummary(burn.data)}</p>
              <BurnDownChart burn={burn.data} />
            </>
          )}
        </>
      )}
    </section>
  );
}

export default function AnalyticsPage() {
  const { slug } = useParams<{ slug: string }>();
  const trpc = useTRPC();
  const scope = useQuery(trpc.analytics.scope.queryOptions({ orgSlug: slug }));
  const [chosenSide, setChosenSide] = useState<Side | null>(null);
  const [range, setRange] = useState<TimeRange>(() => presetRange('7d'));
  const [apiId, setApiId] = useState('');

  const head = (
    <>
      <OrgCrumb slug={slug} />
      <div className="page-head">
        <h1>Analytics</h1>
        <Link href={`/o/${slug}/logs`}>Request logs</Link>
      </div>
    </>
  );
  if (scope.isPending) {
    return (
      <>
        {head}
        <Loading what="Loading analytics" />
      </>
    );
  }
  if (scope.isError) {
    return (
      <>
        {head}
        <ErrorState error={scope.error} />
      </>
    );
  }
  const sides = (['provider', 'consumer'] as const).filter((s) => scope.data[s] !== null);
  if (sides.length === 0) {
    return (
      <>
        {head}
        <p className="empty card">
          Nothing to chart yet. <Link href={`/o/${slug}/apis/new`}>Publish an API</Link> or subscribe one of
          your apps to an API in the <Link href="/catalog">catalog</Link>.
        </p>
      </>
    );
  }
  const side = chosenSide && sides.includes(chosenSide) ? chosenSide : sides[0]!;
  const sideScope = scope.data[side]!;
  const validApi = sideScope.apis.some((a) => a.id === apiId) ? apiId : '';
  const filter: Filter = {
    orgSlug: slug,
    side,
    from: range.from,
    to: range.to,
    ...(validApi ? { apiId: validApi } : {}),
  };
  return (
    <>
      {head}
      {sides.length > 1 ? (
        <fieldset className={styles.range}>
          <legend>View</legend>
          <div className={styles.segmented}>
            {sides.map((s) => (
              <button
                key={s}
                type="button"
                className={s === side ? undefined : 'secondary'}
                aria-pressed={s === side}
                onClick={() => {
                  setChosenSide(s);
                  setApiId('');
                }}
              >
                {SIDE_LABEL[s]}
              </button>
            ))}
          </div>
        </fieldset>
      ) : null}
      <div className={styles.filters}>
        <RangePicker value={range} onChange={setRange} />
        <SelectField
          id="analytics-api"
          label="API"
          value={validApi}
          options={[
            { value: '', label: 'All APIs' },
            ...sideScope.apis.map((a) => ({ value: a.id, label: a.name })),
          ]}
          onChange={(e) => setApiId(e.target.value)}
        />
      </div>
      <Overview filter={filter} />
      <TopList filter={filter} />
      <BurnDownSection
        orgSlug={slug}
        side={side}
        subscriptions={sideScope.subscriptions.filter((s) => !validApi || s.api.id === validApi)}
      />
    </>
  );
}
