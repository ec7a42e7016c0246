'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { ChangelogList } from '~/components/changelog-list';
import { Badge } from '~/components/ui/badge';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';
import { ApiOverview } from '../../_components/api-overview';
import { HowToCall } from '../../_components/how-to-call';
import { LifecycleBanner } from '../../_components/lifecycle-banner';
import { PlanList } from '../../_components/plan-list';
import { ReferenceSection } from '../../_components/reference-section';
import { StatusBadge } from '../../_components/status-badge';

export default function CatalogApiPage() {
  const { orgSlug, apiSlug } = useParams<{ orgSlug: string; apiSlug: string }>();
  const trpc = useTRPC();
  const api = useQuery(trpc.catalog.get.queryOptions({ orgSlug, apiSlug }));
  return (
    <QueryState query={api} pendingLabel="Loading API">
      {(data) => (
        <>
          <nav className="crumbs" aria-label="Breadcrumb">
            <Link href="/catalog">Catalog</Link>
          </nav>
          <div className="page-head">
            <h1>{data.name}</h1>
            <StatusBadge status={data.status} />
            <Badge>{data.version}</Badge>
          </div>
          <LifecycleBanner status={data.status} deprecatedAt={data.deprecatedAt} sunsetAt={data.sunsetAt} />
          <ApiOverview api={data} />
          <HowToCall kind={data.kind} baseUrl={data.gatewayBaseUrl} spec={data.openapiSpec} />
          <ReferenceSection
            orgSlug={orgSlug}
            apiSlug={apiSlug}
            current={data.openapiSpec}
            version={data.version}
            versions={data.specVersions}
            gatewayBaseUrl={data.gatewayBaseUrl}
            callable={data.status === 'PUBLISHED' || data.status === 'DEPRECATED'}
            signedIn={data.signedIn}
          />
          <section className="card min-w-0" aria-labelledby="plans-title">
            <h2 id="plans-title">Plans</h2>
            {data.status !== 'PUBLISHED' && data.plans.length > 0 ? (
              <p className="muted">This API takes no new subscriptions.</p>
            ) : null}
            <PlanList
              orgSlug={orgSlug}
              apiSlug={apiSlug}
              plans={data.plans}
              mySubscriptions={data.mySubscriptions}
              canSubscribe={data.status === 'PUBLISHED'}
              signedIn={data.signedIn}
            />
          </section>
          <section className="card min-w-0" aria-labelledby="changelog-title">
            <h2 id="changelog-title">Changelog</h2>
            <ChangelogList entries={data.changelog} />
          </section>
        </>
      )}
    </QueryState>
  );
}
