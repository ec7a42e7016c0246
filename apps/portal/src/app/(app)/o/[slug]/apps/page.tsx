'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { ErrorState, Loading } from '../../../../../components/form';
import { OrgCrumb } from '../../../../../components/org-crumb';
import { useTRPC } from '../../../../../trpc/client';

export default function AppsPage() {
  const { slug } = useParams<{ slug: string }>();
  const trpc = useTRPC();
  const apps = useQuery(trpc.app.list.queryOptions({ orgSlug: slug }));
  return (
    <>
      <OrgCrumb slug={slug} />
      <div className="page-head">
        <h1>Apps</h1>
        <Link href={`/o/${slug}/apps/new`} className="button">
          New app
        </Link>
      </div>
      {apps.isPending ? (
        <Loading what="Loading apps" />
      ) : apps.isError ? (
        <ErrorState error={apps.error} />
      ) : apps.data.length === 0 ? (
        <p className="empty card">No apps yet. Create an app to subscribe to APIs and get keys.</p>
      ) : (
        <ul className="list card">
          {apps.data.map((app) => (
            <li key={app.id}>
              <Link href={`/o/${slug}/apps/${app.id}`}>{app.name}</Link>
              <span className="muted">
                {app._count.subscriptions} subscription{app._count.subscriptions === 1 ? '' : 's'} ·{' '}
                {app._count.apiKeys} active key{app._count.apiKeys === 1 ? '' : 's'}
              </span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
