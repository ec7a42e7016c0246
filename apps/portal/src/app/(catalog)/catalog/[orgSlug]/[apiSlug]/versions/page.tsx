'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams, usePathname, useRouter, useSearchParams } from 'next/navigation';
import { Suspense } from 'react';
import { ErrorState, Loading } from '../../../../../../components/form';
import { useTRPC } from '../../../../../../trpc/client';
import { ApiReference } from '../../../_components/api-reference';
import styles from '../../../_components/catalog.module.css';

interface Change {
  level: 'breaking' | 'non-breaking';
  kind: string;
  operation: string;
  location: string;
  message: string;
}

function ChangeList({ changes }: { changes: Change[] }) {
  if (changes.length === 0) return <p className="empty">The two documents describe the same API.</p>;
  return (
    <ul className="list" aria-label="Changes">
      {changes.map((c) => (
        <li key={`${c.level}|${c.kind}|${c.operation}|${c.location}|${c.message}`} className={styles.change}>
          <span className={`badge ${c.level === 'breaking' ? styles.breaking : styles.additive}`}>
            {c.level === 'breaking' ? 'breaking' : 'compatible'}
          </span>
          {c.location ? <code>{c.operation}</code> : null}
          <span>{c.message}</span>
        </li>
      ))}
    </ul>
  );
}

function Versions() {
  const { orgSlug, apiSlug } = useParams<{ orgSlug: string; apiSlug: string }>();
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const api = useQuery(trpc.catalog.get.queryOptions({ orgSlug, apiSlug }));
  const options = [
    ...(api.data?.openapiSpec != null ? [{ value: 'current', label: `${api.data.version} (current)` }] : []),
    ...(api.data?.specVersions ?? []).map((v) => ({ value: v.version, label: v.version })),
  ];
  // Default: the previous published version against the newest one.
  const from = params.get('from') || options[2]?.value || options[1]?.value || '';
  const to = params.get('to') || options[1]?.value || options[0]?.value || '';
  const compare = useQuery({
    ...trpc.catalog.compare.queryOptions({ orgSlug, apiSlug, from, to }),
    enabled: Boolean(from && to),
    placeholderData: keepPreviousData,
  });
  const choose = (next: { from?: string; to?: string }) => {
    const query = new URLSearchParams({ from: next.from ?? from, to: next.to ?? to });
    router.replace(`${pathname}?${query.toString()}`, { scroll: false });
  };

  if (api.isPending) return <Loading what="Loading versions" />;
  if (api.isError) return <ErrorState error={api.error} />;
  return (
    <>
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link href="/catalog">Catalog</Link>
        <span aria-hidden="true"> / </span>
        <Link href={`/catalog/${orgSlug}/${apiSlug}`}>{api.data.name}</Link>
      </nav>
      <h1>Versions of {api.data.name}</h1>
      {options.length < 2 ? (
        <p className="empty card">Only one version has been published so far: nothing to compare yet.</p>
      ) : (
        <>
          <section className="card" aria-labelledby="compare-title">
            <h2 id="compare-title">Compare</h2>
            <div className="row">
              <div className="field">
                <label htmlFor="compare-from">From</label>
                <select id="compare-from" value={from} onChange={(e) => choose({ from: e.target.value })}>
                  {options.map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="compare-to">To</label>
                <select id="compare-to" value={to} onChange={(e) => choose({ to: e.target.value })}>
                  {options.map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              </div>
            </div>
            {compare.isPending ? (
              <Loading what="Comparing" />
            ) : compare.isError ? (
              <ErrorState error={compare.error} />
            ) : (
              <>
                <p data-testid="diff-summary" aria-live="polite">
                  <strong>
                    {compare.data.diff.breaking} breaking change{compare.data.diff.breaking === 1 ? '' : 's'}
                  </strong>
                  , {compare.data.diff.nonBreaking} compatible change
                  {compare.data.diff.nonBreaking === 1 ? '' : 's'}
                </p>
                <ChangeList changes={compare.data.diff.changes} />
              </>
            )}
          </section>
          {compare.data ? (
            <div className={styles.sideBySide}>
              <section className="card" aria-labelledby="from-title">
                <h2 id="from-title">{compare.data.from.label}</h2>
                <ApiReference
                  spec={compare.data.from.spec}
                  gatewayBaseUrl={api.data.gatewayBaseUrl}
                  orgSlug={orgSlug}
                  apiSlug={apiSlug}
                  tryIt={false}
                  label={`API reference, ${compare.data.from.label}`}
                />
              </section>
              <section className="card" aria-labelledby="to-title">
                <h2 id="to-title">{compare.data.to.label}</h2>
                <ApiReference
                  spec={compare.data.to.spec}
                  gatewayBaseUrl={api.data.gatewayBaseUrl}
                  orgSlug={orgSlug}
                  apiSlug={apiSlug}
                  tryIt={false}
                  label={`API reference, ${compare.data.to.label}`}
                />
              </section>
            </div>
          ) : null}
        </>
      )}
    </>
  );
}

export default function VersionsPage() {
  return (
    <Suspense fallback={<Loading what="Loading versions" />}>
      <Versions />
    </Suspense>
  );
}
