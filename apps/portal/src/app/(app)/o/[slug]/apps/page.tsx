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
import { AppTable } from './_components/app-table';
import { readOnlyNote } from './_components/role-note';

export default function AppsPage() {
  const { slug } = useParams<{ slug: string }>();
  const trpc = useTRPC();
  const apps = useQuery(trpc.app.list.queryOptions({ orgSlug: slug }));
  const org = useQuery(trpc.org.get.queryOptions({ orgSlug: slug }));
  const role = org.data?.role;
  const canCreate = role ? can(role, 'app.write') : false;
  const note = readOnlyNote(role, 'app.write', 'the apps', 'create them');
  return (
    <>
      <OrgCrumb slug={slug} />
      <div className="page-head">
        <h1>Apps</h1>
        {canCreate ? (
          <Link href={`/o/${slug}/apps/new`} className={buttonClasses()}>
            New app
          </Link>
        ) : null}
      </div>
      {note ? (
        <p className="text-muted" data-testid="apps-read-only">
          {note}
        </p>
      ) : null}
      <QueryState
        query={apps}
        pendingLabel="Loading apps"
        isEmpty={(rows) => rows.length === 0}
        empty={
          <EmptyState
            title="No apps yet"
            description={
              <>
                Subscribe to an API from the catalog and an app is set up on the way
                {canCreate ? (
                  <>
                    , or <Link href={`/o/${slug}/apps/new`}>create an app</Link> first
                  </>
                ) : null}
                . Each app gets its own keys.
              </>
            }
            action={{ label: 'Browse the catalog', href: '/catalog' }}
          />
        }
      >
        {(rows) => (
          <div className="card min-w-0">
            <AppTable orgSlug={slug} rows={rows} />
          </div>
        )}
      </QueryState>
    </>
  );
}
