'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { OrgCrumb } from '~/components/org-crumb';
import { buttonClasses } from '~/components/ui/button-classes';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { can } from '~/server/permissions';
import { useTRPC } from '~/trpc/client';
import { ApiTable } from './_components/api-table';
import { CatalogSettings } from './_components/catalog-settings';

export default function ApisPage() {
  const { slug } = useParams<{ slug: string }>();
  const trpc = useTRPC();
  const apis = useQuery(trpc.api.list.queryOptions({ orgSlug: slug }));
  const org = useQuery(trpc.org.get.queryOptions({ orgSlug: slug }));
  const canCreate = org.data ? can(org.data.role, 'api.write') : false;
  return (
    <>
      <OrgCrumb slug={slug} />
      <div className="page-head">
        <h1>APIs</h1>
        {canCreate ? (
          <Link href={`/o/${slug}/apis/new`} className={buttonClasses('primary')}>
            New API
          </Link>
        ) : null}
      </div>
      {org.data && !canCreate ? (
        <p className="text-sm text-muted">Owners and admins create and configure APIs.</p>
      ) : null}
      <QueryState
        query={apis}
        pendingLabel="Loading APIs"
        isEmpty={(rows) => rows.length === 0}
        empty={
          <EmptyState
            title="No APIs yet."
            description="Create one to publish it in the catalog."
            action={canCreate ? { label: 'Create your first API', href: `/o/${slug}/apis/new` } : undefined}
          />
        }
      >
        {(rows) => (
          <div className="card">
            <ApiTable orgSlug={slug} rows={rows} />
          </div>
        )}
      </QueryState>
      <CatalogSettings slug={slug} />
    </>
  );
}
