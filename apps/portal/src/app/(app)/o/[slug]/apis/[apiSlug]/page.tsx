'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { ErrorState, FormError, Loading } from '../../../../../../components/form';
import { OrgCrumb } from '../../../../../../components/org-crumb';
import { can } from '../../../../../../server/permissions';
import { useTRPC } from '../../../../../../trpc/client';
import { ApiConfigNav } from './_components/config-nav';
import { DetailsForm } from './_components/details-form';
import { Lifecycle } from './_components/lifecycle';
import { PlanCreateForm } from './_components/plan/plan-create-form';
import { PlanItem } from './_components/plan-editor';
import { Sharing } from './_components/sharing';
import { Subscribers } from './_components/subscribers';

export default function ApiDetailPage() {
  const { slug, apiSlug } = useParams<{ slug: string; apiSlug: string }>();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const api = useQuery(trpc.api.get.queryOptions({ orgSlug: slug, apiSlug }));
  const org = useQuery(trpc.org.get.queryOptions({ orgSlug: slug }));
  const canConfigure = org.data ? can(org.data.role, 'policy.write') : false;
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.api.get.queryKey({ orgSlug: slug, apiSlug }) });
  const publish = useMutation(trpc.api.publish.mutationOptions({ onSuccess: refresh }));

  if (api.isPending) return <Loading what="Loading API" />;
  if (api.isError) return <ErrorState error={api.error} />;
  const data = api.data;
  return (
    <>
      <OrgCrumb slug={slug} section={{ label: 'APIs', href: `/o/${slug}/apis` }} />
      <div className="page-head">
        <h1>{data.name}</h1>
        <span className="badge status" data-testid="api-status">
          {data.status}
        </span>
        {data.status === 'DRAFT' ? (
          <button
            type="button"
            disabled={publish.isPending}
            onClick={() => publish.mutate({ orgSlug: slug, apiId: data.id })}
          >
            Publish
          </button>
        ) : null}
      </div>
      <FormError message={publish.error?.message} />
      <ApiConfigNav orgSlug={slug} apiSlug={data.slug} current="overview" />
      <section className="card" aria-labelledby="facts-title">
        <h2 id="facts-title" className="visually-hidden">
          Facts
        </h2>
        <dl className="facts">
          <dt>Slug</dt>
          <dd>
            <code>{data.slug}</code>
          </dd>
          {data.kind === 'REST' ? (
            <>
              <dt>Upstream</dt>
              <dd>
                <code>{data.upstreamUrl}</code>
              </dd>
            </>
          ) : (
            <>
              <dt>Kind</dt>
              <dd>{data.kind === 'AI' ? 'AI gateway (model routes)' : 'Prompt API'}</dd>
            </>
          )}
          <dt>Version</dt>
          <dd>{data.version}</dd>
          <dt>Visibility</dt>
          <dd>{data.visibility}</dd>
          {data.canWrite ? null : (
            <>
              <dt>Description</dt>
              <dd>{data.description || <span className="muted">None</span>}</dd>
              <dt>Tags</dt>
              <dd>{data.tags.length > 0 ? data.tags.join(', ') : <span className="muted">None</span>}</dd>
            </>
          )}
          {data.sunsetAt ? (
            <>
              <dt>Sunset</dt>
              <dd>{data.sunsetAt.toISOString().slice(0, 10)}</dd>
            </>
          ) : null}
        </dl>
        {data.status !== 'DRAFT' ? (
          <p>
            <Link href={`/catalog/${slug}/${data.slug}`}>View in catalog</Link>
          </p>
        ) : (
          <p className="muted">
            This API is not visible in the catalog yet (
            <Link href={`/catalog/${slug}/${data.slug}`}>preview</Link>).
          </p>
        )}
      </section>
      {data.canWrite ? <DetailsForm orgSlug={slug} api={data} onSaved={refresh} /> : null}
      {data.visibility === 'ORG' || data._count.shares > 0 ? (
        <Sharing orgSlug={slug} apiId={data.id} canWrite={data.canWrite} />
      ) : null}
      <section className="card">
        <h2>Plans</h2>
        {data.plans.length === 0 ? (
          <p className="empty">No plans yet. Consumers need a plan to subscribe.</p>
        ) : (
          <ul className="list" aria-label="Plans">
            {data.plans.map((plan) => (
              <PlanItem
                key={plan.id}
                orgSlug={slug}
                plan={plan}
                canWrite={canConfigure}
                onChanged={refresh}
              />
            ))}
          </ul>
        )}
      </section>
      {canConfigure ? <PlanCreateForm orgSlug={slug} apiId={data.id} onAdded={refresh} /> : null}
      {data.status !== 'DRAFT' ? <Subscribers orgSlug={slug} apiId={data.id} /> : null}
      {org.data && can(org.data.role, 'api.lifecycle') ? (
        <Lifecycle orgSlug={slug} api={data} onChanged={refresh} />
      ) : null}
    </>
  );
}
