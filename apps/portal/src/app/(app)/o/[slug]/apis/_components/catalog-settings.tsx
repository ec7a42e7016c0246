'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { CheckboxControl } from '~/components/forms/controls';
import { FormMessage } from '~/components/ui/field';
import { QueryState } from '~/components/ui/query-state';
import { toast } from '~/components/ui/toast';
import { formError, useTRPC } from '~/trpc/client';

/** The tenant-wide catalog setting: may signed-out visitors browse this org's PUBLIC APIs? */
export function CatalogSettings({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const settings = useQuery(trpc.api.catalogSettings.queryOptions({ orgSlug: slug }));
  // The box follows the click in the same render (the mutation's own state arrives a tick later, and a
  // controlled checkbox would snap back until then); it falls back to the stored value once settled.
  const [requested, setRequested] = useState<boolean | null>(null);
  const save = useMutation(
    trpc.api.setAnonymousBrowse.mutationOptions({
      onSuccess: async (_data, input) => {
        await queryClient.invalidateQueries({
          queryKey: trpc.api.catalogSettings.queryKey({ orgSlug: slug }),
        });
        toast.success(
          input.allowAnonymousBrowse
            ? 'Signed-out visitors can browse'
            : 'The catalog asks visitors to sign in',
        );
      },
      onSettled: () => setRequested(null),
    }),
  );
  return (
    <section className="card" aria-labelledby="catalog-settings-title">
      <h2 id="catalog-settings-title">Catalog</h2>
      <QueryState query={settings} pendingLabel="Loading catalog settings">
        {(data) => (
          <>
            <CheckboxControl
              id="anonymous-browse"
              label="Let signed-out visitors browse our public APIs"
              className="mb-1"
              checked={requested ?? data.allowAnonymousBrowse}
              disabled={!data.canWrite || requested !== null}
              onChange={(e) => {
                setRequested(e.target.checked);
                save.mutate({ orgSlug: slug, allowAnonymousBrowse: e.target.checked });
              }}
              aria-describedby="anonymous-browse-hint"
            />
            <p id="anonymous-browse-hint" className="m-0 text-sm text-muted">
              Only APIs with public visibility are shown: their docs, plans, prices and changelog. Subscribing
              and the console still need an account.{data.canWrite ? '' : ' Owners and admins change this.'}
            </p>
            <FormMessage message={formError(save.error)} />
          </>
        )}
      </QueryState>
    </section>
  );
}
