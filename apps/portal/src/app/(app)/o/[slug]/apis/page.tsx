'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { ErrorState, FormError, Loading } from '../../../../../components/form';
import { OrgCrumb } from '../../../../../components/org-crumb';
import { formError, useTRPC } from '../../../../../trpc/client';

/** The tenant-wide catalog setting: may signed-out visitors browse this org's PUBLIC APIs? */
function CatalogSettings({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const settings = useQuery(trpc.api.catalogSettings.queryOptions({ orgSlug: slug }));
  // The box follows the click in the same render (the mutation's own state arrives a tick later, and a
  // controlled checkbox would snap back until then); it falls back to the stored value once settled.
  const [requested, setRequested] = useState<boolean | null>(null);
  const save = useMutation(
    trpc.api.setAnonymousBrowse.mutationOptions({
      onSuccess: () =>
        queryClient.invalidateQueries({ queryKey: trpc.api.catalogSettings.queryKey({ orgSlug: slug }) }),
      onSettled: () => setRequested(null),
    }),
  );
  if (settings.isPending) return <Loading what="Loading catalog settings" />;
  if (settings.isError) return <ErrorState error={settings.error} />;
  return (
    <section className="card" aria-labelledby="catalog-settings-title">
      <h2 id="catalog-settings-title">Catalog</h2>
      <div className="checkbox">
        <input
          id="anonymous-browse"
          type="checkbox"
          checked={requested ?? settings.data.allowAnonymousBrowse}
          disabled={!settings.data.canWrite || requested !== null}
          onChange={(e) => {
            setRequested(e.target.checked);
            save.mutate({ orgSlug: slug, allowAnonymousBrowse: e.target.checked });
          }}
          aria-describedby="anonymous-browse-hint"
        />
        <label htmlFor="anonymous-browse">Let signed-out visitors browse our public APIs</label>
      </div>
      <p id="anonymous-browse-hint" className="hint">
        Only APIs with public visibility are shown: their docs, plans, prices and changelog. Subscribing and
        the console still need an account.{settings.data.canWrite ? '' : ' Owners and admins change this.'}
      </p>
      <FormError message={formError(save.error)} />
    </section>
  );
}

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
      <CatalogSettings slug={slug} />
    </>
  );
}
