'use client';

import { useQuery } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { ErrorState, Loading } from '../../../../../../components/form';
import { OrgCrumb } from '../../../../../../components/org-crumb';
import { can } from '../../../../../../server/permissions';
import { useTRPC } from '../../../../../../trpc/client';
import { Keys } from './_components/keys';
import { Subscriptions } from './_components/subscriptions';

export default function AppDetailPage() {
  const { slug, appId } = useParams<{ slug: string; appId: string }>();
  const trpc = useTRPC();
  const app = useQuery(trpc.app.get.queryOptions({ orgSlug: slug, appId }));
  const org = useQuery(trpc.org.get.queryOptions({ orgSlug: slug }));
  if (app.isPending) return <Loading what="Loading app" />;
  if (app.isError) return <ErrorState error={app.error} />;
  const role = org.data?.role;
  return (
    <>
      <OrgCrumb slug={slug} section={{ label: 'Apps', href: `/o/${slug}/apps` }} />
      <h1>{app.data.name}</h1>
      {app.data.description ? <p className="muted">{app.data.description}</p> : null}
      <Subscriptions
        orgSlug={slug}
        appId={appId}
        canCancel={role ? can(role, 'subscription.create') : false}
      />
      <Keys orgSlug={slug} appId={appId} canWrite={role ? can(role, 'key.write') : false} />
    </>
  );
}
