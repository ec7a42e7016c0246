'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { ChangelogList } from '~/components/changelog-list';
import { ErrorState, Loading } from '../../../../../components/form';
import { useTRPC } from '../../../../../trpc/client';
import styles from '../../_components/catalog.module.css';
import { HowToCall } from '../../_components/how-to-call';
import { OpenApiDocs } from '../../_components/openapi-docs';
import { PlanList } from '../../_components/plan-list';
import { StatusBadge } from '../../_components/status-badge';
import { TryIt } from '../../_components/try-it';

const day = (d: Date) => d.toLocaleDateString('en-GB', { year: 'numeric', month: 'long', day: 'numeric' });

function Docs({
  orgSlug,
  apiSlug,
  current,
  version,
  versions,
}: {
  orgSlug: string;
  apiSlug: string;
  current: unknown;
  version: string;
  versions: Array<{ version: string }>;
}) {
  const trpc = useTRPC();
  const [shown, setShown] = useState('current');
  const snapshot = useQuery({
    ...trpc.catalog.spec.queryOptions({ orgSlug, apiSlug, version: shown }),
    enabled: shown !== 'current',
  });
  const hasCurrent = current !== null;
  return (
    <section className="card" aria-labelledby="docs-title">
      <div className={styles.docsHead}>
        <h2 id="docs-title">Documentation</h2>
        {versions.length > 0 ? (
          <div className="field inline">
            <label htmlFor="docs-version">Version</label>
            <select id="docs-version" value={shown} onChange={(e) => setShown(e.target.value)}>
              {hasCurrent ? <option value="current">{version} (current)</option> : null}
              {versions.map((v) => (
                <option key={v.version} value={v.version}>
                  {v.version}
                </option>
              ))}
            </select>
          </div>
        ) : null}
      </div>
      {versions.length > 1 ? (
        <p>
          <Link href={`/catalog/${orgSlug}/${apiSlug}/versions`}>Compare versions side by side</Link>
        </p>
      ) : null}
      {shown === 'current' ? (
        hasCurrent ? (
          <OpenApiDocs spec={current} />
        ) : (
          <p className="empty">The provider has not published an OpenAPI document for this API.</p>
        )
      ) : snapshot.isPending ? (
        <Loading what="Loading this version" />
      ) : snapshot.isError ? (
        <ErrorState error={snapshot.error} />
      ) : (
        <OpenApiDocs spec={snapshot.data.spec} />
      )}
    </section>
  );
}

export default function CatalogApiPage() {
  const { orgSlug, apiSlug } = useParams<{ orgSlug: string; apiSlug: string }>();
  const trpc = useTRPC();
  const api = useQuery(trpc.catalog.get.queryOptions({ orgSlug, apiSlug }));

  if (api.isPending) return <Loading what="Loading API" />;
  if (api.isError) return <ErrorState error={api.error} />;
  const data = api.data;
  return (
    <>
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link href="/catalog">Catalog</Link>
      </nav>
      <div className="page-head">
        <h1>{data.name}</h1>
        <StatusBadge status={data.status} />
        <span className="badge">{data.version}</span>
      </div>
      {data.status === 'DEPRECATED' ? (
        <div className={styles.banner} role="status" data-testid="deprecation-banner">
          <strong>Deprecated</strong>
          {data.deprecatedAt ? ` since ${day(data.deprecatedAt)}` : ''}.{' '}
          {data.sunsetAt ? `Sunset on ${day(data.sunsetAt)}: calls will be refused from then on.` : ''} New
          subscriptions are closed; see the changelog for what to move to.
        </div>
      ) : null}
      {data.status === 'RETIRED' ? (
        <div className={`${styles.banner} ${styles.bannerDanger}`} role="status">
          <strong>Retired</strong>
          {data.sunsetAt ? ` on ${day(data.sunsetAt)}` : ''}: the gateway answers <code>410 api_retired</code>
          .
        </div>
      ) : null}
      {data.status === 'DRAFT' ? (
        <div className={styles.banner} role="status">
          <strong>Draft</strong>: only your organization sees this page until the API is published.
        </div>
      ) : null}
      <section className="card" aria-labelledby="overview-title">
        <h2 id="overview-title" className="visually-hidden">
          Overview
        </h2>
        <p className="muted">
          by {data.org.name} · version {data.version}
          {data.visibility !== 'PUBLIC' ? ` · ${data.visibility.toLowerCase()} visibility` : ''}
        </p>
        {data.description ? <p>{data.description}</p> : <p className="muted">No description.</p>}
        {data.tags.length > 0 ? (
          <ul className={styles.tags} aria-label="Tags">
            {data.tags.map((tag) => (
              <li key={tag} className={styles.tag}>
                <Link href={`/catalog?tag=${encodeURIComponent(tag)}`}>{tag}</Link>
              </li>
            ))}
          </ul>
        ) : null}
        <h3>Base URL</h3>
        <p>
          <code data-testid="gateway-url">{data.gatewayBaseUrl}</code>
        </p>
        <pre className="code">{`curl -H "Authorization: Bearer $PORTCULLIS_KEY" ${data.gatewayBaseUrl}`}</pre>
      </section>
      <HowToCall kind={data.kind} baseUrl={data.gatewayBaseUrl} spec={data.openapiSpec} />

      <Docs
        orgSlug={orgSlug}
        apiSlug={apiSlug}
        current={data.openapiSpec}
        version={data.version}
        versions={data.specVersions}
      />

      <section className="card" aria-labelledby="plans-title">
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

      {data.status === 'PUBLISHED' || data.status === 'DEPRECATED' ? (
        <section className="card" aria-labelledby="try-title">
          <h2 id="try-title">Try it</h2>
          <TryIt orgSlug={orgSlug} apiSlug={apiSlug} spec={data.openapiSpec} signedIn={data.signedIn} />
        </section>
      ) : null}

      <section className="card" aria-labelledby="changelog-title">
        <h2 id="changelog-title">Changelog</h2>
        <ChangelogList entries={data.changelog} />
      </section>
    </>
  );
}
