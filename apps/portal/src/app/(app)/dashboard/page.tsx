'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { Badge } from '~/components/ui/badge';
import { buttonClasses } from '~/components/ui/button-classes';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';

/** For someone in no organization yet: the way to a first call, or to publishing. */
function GetStarted() {
  return (
    <EmptyState
      title="Get started"
      description={
        <>
          Find an API in the catalog and subscribe: an app and a personal organization are set up for you, and
          you get a key and a ready request right away. Publishing APIs instead?{' '}
          <Link href="/orgs/new">Create an organization</Link> for your team.
        </>
      }
      action={{ label: 'Browse the catalog', href: '/catalog' }}
    />
  );
}

export default function DashboardPage() {
  const trpc = useTRPC();
  const orgs = useQuery(trpc.org.listMine.queryOptions());
  return (
    <>
      <div className="page-head">
        <h1>Dashboard</h1>
        <Link href="/orgs/new" className={buttonClasses()}>
          New organization
        </Link>
      </div>
      <QueryState
        query={orgs}
        pendingLabel="Loading organizations"
        isEmpty={(rows) => rows.length === 0}
        empty={<GetStarted />}
      >
        {(rows) => (
          <section className="card min-w-0" aria-labelledby="orgs-title">
            <h2 id="orgs-title">Your organizations</h2>
            <ul className="m-0 list-none p-0" aria-labelledby="orgs-title">
              {rows.map((org) => (
                <li
                  key={org.id}
                  className="flex flex-wrap items-center justify-between gap-2 border-b border-line py-2 last:border-b-0"
                >
                  <Link href={`/o/${org.slug}`} className="[overflow-wrap:anywhere]">
                    {org.name}
                  </Link>
                  <Badge>{org.role}</Badge>
                </li>
              ))}
            </ul>
          </section>
        )}
      </QueryState>
    </>
  );
}
