'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { ErrorState, Loading } from '../../../components/form';
import { useTRPC } from '../../../trpc/client';

/** For someone in no organization yet: the way to a first call, or to publishing. */
function GetStarted() {
  return (
    <section className="card" aria-labelledby="get-started-title">
      <h2 id="get-started-title">Get started</h2>
      <p>
        Find an API in the catalog and subscribe: an app and a personal organization are set up for you, and
        you get a key and a ready request right away.
      </p>
      <p>
        <Link href="/catalog" className="button">
          Browse the catalog
        </Link>
      </p>
      <p className="muted">
        Publishing APIs instead? <Link href="/orgs/new">Create an organization</Link> for your team.
      </p>
    </section>
  );
}

export default function DashboardPage() {
  const trpc = useTRPC();
  const orgs = useQuery(trpc.org.listMine.queryOptions());
  return (
    <>
      <div className="page-head">
        <h1>Dashboard</h1>
        <Link href="/orgs/new" className="button">
          New organization
        </Link>
      </div>
      {orgs.data?.length === 0 ? <GetStarted /> : null}
      <section className="card">
        <h2>Your organizations</h2>
        {orgs.isPending ? (
          <Loading what="Loading organizations" />
        ) : orgs.isError ? (
          <ErrorState error={orgs.error} />
        ) : orgs.data.length === 0 ? (
          <p className="empty">You are not in any organization yet.</p>
        ) : (
          <ul className="list">
            {orgs.data.map((org) => (
              <li key={org.id}>
                <Link href={`/o/${org.slug}`}>{org.name}</Link>
                <span className="badge">{org.role}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
