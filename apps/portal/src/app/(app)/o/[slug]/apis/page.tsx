'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { ErrorState, Loading } from '../../../../../components/form';
import { OrgCrumb } from '../../../../../components/org-crumb';
import { useTRPC } from '../../../../../trpc/client';

export default function ApisPage() {
  const { slug } = useParams<{ slug: string }>();
  const trpc = useTRPC();
  const apis = useQuery(trpc.api.list.queryOptions({ orgSlug: slug }));
  return (
    <>
      <OrgCrumb slug={slug} />
      <div className="page-head">
        <h1>APIs</h1>
        <Link href={`/o/${slug}/apis/new`} className="button">
          New API
        </Link>
      </div>
      {apis.isPending ? (
        <Loading what="Loading APIs" />
      ) : apis.isError ? (
        <ErrorState error={apis.error} />
      ) : apis.data.length === 0 ? (
        <p className="empty card">No APIs yet. Create one to publish it in the catalog.</p>
      ) : (
        <ul className="list card">
          {apis.data.map((api) => (
            <li key={api.id}>
              <Link href={`/o/${slug}/apis/${api.slug}`}>{api.name}</Link>
              <span className="badge">{api.status}</span>
              <span className="muted">
                {api.visibility} · {api._count.plans} plan{api._count.plans === 1 ? '' : 's'}
              </span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
