'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams, usePathname, useRouter, useSearchParams } from 'next/navigation';
import { Suspense } from 'react';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';
import { ChangeList } from './_components/change-list';
import { SideBySide } from './_components/side-by-side';
import { type VersionOption, VersionPickers } from './_components/version-pickers';

interface CatalogApi {
  name: string;
  version: string;
  openapiSpec: unknown;
  specVersions: Array<{ version: string }>;
  gatewayBaseUrl: string;
}

function versionOptions(api: CatalogApi): VersionOption[] {
  return [
    ...(api.openapiSpec != null ? [{ value: 'current', label: `${api.version} (current)` }] : []),
    ...api.specVersions.map((v) => ({ value: v.version, label: v.version })),
  ];
}

function Compare({ api, orgSlug, apiSlug }: { api: CatalogApi; orgSlug: string; apiSlug: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const options = versionOptions(api);
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
  if (options.length < 2) {
    return (
      <EmptyState
        title="Only one version has been published so far: nothing to compare yet."
        description="The API's page shows its reference and changelog."
        action={{ label: `Back to ${api.name}`, href: `/catalog/${orgSlug}/${apiSlug}` }}
      />
    );
  }
  return (
    <>
      <section className="card min-w-0" aria-labelledby="compare-title">
        <h2 id="compare-title">Compare</h2>
        <VersionPickers from={from} to={to} options={options} onChoose={choose} />
        <QueryState query={compare} pendingLabel="Comparing">
          {(data) => <ChangeList diff={data.diff} />}
        </QueryState>
      </section>
      {compare.data ? (
        <SideBySide
          from={compare.data.from}
          to={compare.data.to}
          gatewayBaseUrl={api.gatewayBaseUrl}
          orgSlug={orgSlug}
          apiSlug={apiSlug}
        />
      ) : null}
    </>
  );
}

function Versions() {
  const { orgSlug, apiSlug } = useParams<{ orgSlug: string; apiSlug: string }>();
  const trpc = useTRPC();
  const api = useQuery(trpc.catalog.get.queryOptions({ orgSlug, apiSlug }));
  return (
    <QueryState query={api} pendingLabel="Loading versions">
      {(data) => (
        <>
          <nav className="crumbs" aria-label="Breadcrumb">
            <Link href="/catalog">Catalog</Link>
            <span aria-hidden="true"> / </span>
            <Link href={`/catalog/${orgSlug}/${apiSlug}`}>{data.name}</Link>
          </nav>
          <h1>Versions of {data.name}</h1>
          <Compare api={data} orgSlug={orgSlug} apiSlug={apiSlug} />
        </>
      )}
    </QueryState>
  );
}

export default function VersionsPage() {
  return (
    <Suspense
      fallback={
        <p className="text-muted" role="status" aria-busy="true">
          Loading versions…
        </p>
      }
    >
      <Versions />
    </Suspense>
  );
}
