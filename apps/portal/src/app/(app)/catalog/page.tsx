'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { ErrorState, Loading } from '../../../components/form';
import { useTRPC } from '../../../trpc/client';

export default function CatalogPage() {
  const trpc = useTRPC();
  const apis = useQuery(trpc.catalog.list.queryOptions());
  return (
    <>
      <h1>Catalog</h1>
      <p className="muted">Published APIs you can subscribe to.</p>
      {apis.isPending ? (
        <Loading what="Loading catalog" />
      ) : apis.isError ? (
        <ErrorState error={apis.error} />
      ) : apis.data.length === 0 ? (
        <p className="empty card">No published APIs yet.</p>
      ) : (
        <ul className="cards">
          {apis.data.map((api) => (
            <li key={api.id} className="card api-card">
              <h2>
                <Link href={`/catalog/${api.org.slug}/${api.slug}`}>{api.name}</Link>
              </h2>
              <p className="muted">by {api.org.name}</p>
              {api.description ? <p>{api.description}</p> : null}
              <p className="meta">
                {api.status === 'DEPRECATED' ? (
                  <span className="badge status-suspended">DEPRECATED</span>
                ) : null}
                {api.visibility !== 'PUBLIC' ? <span className="badge">{api.visibility}</span> : null}
                <span className="muted">
                  {api._count.plans} plan{api._count.plans === 1 ? '' : 's'}
                </span>
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
