'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { OrgCrumb } from '~/components/org-crumb';
import { QueryState } from '~/components/ui/query-state';
import { can } from '~/server/permissions';
import { useTRPC } from '~/trpc/client';
import { ApiConfigNav } from './_components/config-nav';
import { DetailsForm } from './_components/details-form';
import { Lifecycle } from './_components/lifecycle';
import { ApiFacts } from './_components/overview/api-facts';
import { ApiHead } from './_components/overview/api-head';
import { PlansSection } from './_components/overview/plans-section';
import { PlanCreateForm } from './_components/plan/plan-create-form';
import { Sharing } from './_components/sharing';
import { Subscribers } from './_components/subscribers';

export default function ApiDetailPage() {
  const { slug, apiSlug } = useParams<{ slug: string; apiSlug: string }>();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const api = useQuery(trpc.api.get.queryOptions({ orgSlug: slug, apiSlug }));
  const org = useQuery(trpc.org.get.queryOptions({ orgSlug: slug }));
  const canConfigure = org.data ? can(org.data.role, 'policy.write') : false;
  const canRetire = org.data ? can(org.data.role, 'api.lifecycle') : false;
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.api.get.queryKey({ orgSlug: slug, apiSlug }) });

  return (
    <QueryState query={api} pendingLabel="Loading API">
      {(data) => (
        <>
          <OrgCrumb slug={slug} section={{ label: 'APIs', href: `/o/${slug}/apis` }} />
          <ApiHead orgSlug={slug} api={data} onChanged={refresh} />
          <ApiConfigNav orgSlug={slug} apiSlug={data.slug} current="overview" />
          <ApiFacts orgSlug={slug} api={data} />
          {data.canWrite ? <DetailsForm orgSlug={slug} api={data} onSaved={refresh} /> : null}
          {data.visibility === 'ORG' || data._count.shares > 0 ? (
            <Sharing orgSlug={slug} apiId={data.id} canWrite={data.canWrite} />
          ) : null}
          <PlansSection orgSlug={slug} plans={data.plans} canConfigure={canConfigure} onChanged={refresh} />
          {canConfigure ? <PlanCreateForm orgSlug={slug} apiId={data.id} onAdded={refresh} /> : null}
          {data.status !== 'DRAFT' ? <Subscribers orgSlug={slug} apiId={data.id} /> : null}
          {org.data ? (
            <Lifecycle orgSlug={slug} api={data} canManage={canRetire} onChanged={refresh} />
          ) : null}
        </>
      )}
    </QueryState>
  );
}
