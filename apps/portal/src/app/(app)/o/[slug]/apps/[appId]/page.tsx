'use client';

import { useQuery } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { OrgCrumb } from '~/components/org-crumb';
import { QueryState } from '~/components/ui/query-state';
import { can } from '~/server/permissions';
import { useTRPC } from '~/trpc/client';
import { readOnlyNote } from '../_components/role-note';
import { ConnectAgent } from './_components/connect-agent';
import { Keys } from './_components/keys';
import { Subscriptions } from './_components/subscriptions';

export default function AppDetailPage() {
  const { slug, appId } = useParams<{ slug: string; appId: string }>();
  const trpc = useTRPC();
  const app = useQuery(trpc.app.get.queryOptions({ orgSlug: slug, appId }));
  const org = useQuery(trpc.org.get.queryOptions({ orgSlug: slug }));
  const role = org.data?.role;
  return (
    <>
      <OrgCrumb slug={slug} section={{ label: 'Apps', href: `/o/${slug}/apps` }} />
      <QueryState query={app} pendingLabel="Loading app">
        {(data) => (
          <>
            <h1>{data.name}</h1>
            {data.description ? <p className="text-muted">{data.description}</p> : null}
            <Subscriptions
              orgSlug={slug}
              appId={appId}
              canCancel={role ? can(role, 'subscription.create') : false}
              readOnlyNote={readOnlyNote(role, 'subscription.create', 'subscriptions', 'cancel them')}
            />
            <Keys
              orgSlug={slug}
              appId={appId}
              canWrite={role ? can(role, 'key.write') : false}
              readOnlyNote={readOnlyNote(role, 'key.write', 'keys', 'create, rotate and revoke them')}
            />
            <ConnectAgent orgSlug={slug} appId={appId} appName={data.name} />
          </>
        )}
      </QueryState>
    </>
  );
}
