'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { ErrorState, Loading } from '../../../components/form';
import { useTRPC } from '../../../trpc/client';

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
      <section className="card">
        <h2>Your organizations</h2>
        {orgs.isPending ? (
          <Loading what="Loading organizations" />
        ) : orgs.isError ? (
          <ErrorState error={orgs.error} />
        ) : orgs.data.length === 0 ? (
          <p className="empty">You are not in any organization yet. Create one to publish or consume APIs.</p>
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
