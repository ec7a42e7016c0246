'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ErrorState, Field, FormError, Loading } from '../../../../../../../components/form';
import { fieldErrors, formError, useTRPC } from '../../../../../../../trpc/client';

/** ORG visibility: the teams (orgs) this API is shared with, by slug. */
export function Sharing({ orgSlug, apiId, canWrite }: { orgSlug: string; apiId: string; canWrite: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const shares = useQuery(trpc.api.shares.queryOptions({ orgSlug, apiId }));
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.api.shares.queryKey({ orgSlug, apiId }) });
  const [slug, setSlug] = useState('');
  const add = useMutation(
    trpc.api.addShare.mutationOptions({
      onSuccess: async () => {
        setSlug('');
        await refresh();
      },
    }),
  );
  const remove = useMutation(trpc.api.removeShare.mutationOptions({ onSuccess: refresh }));

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    add.mutate({ orgSlug, apiId, shareWithSlug: slug });
  }

  return (
    <section className="card" aria-labelledby="sharing-title">
      <h2 id="sharing-title">Sharing</h2>
      {shares.isPending ? (
        <Loading what="Loading shares" />
      ) : shares.isError ? (
        <ErrorState error={shares.error} />
      ) : (
        <>
          <p className="muted">
            {shares.data.visibility === 'ORG'
              ? 'Besides your organization, these teams see the API in their catalog and can subscribe.'
              : 'Shares only apply while the visibility is “Shared”; they are kept meanwhile.'}
          </p>
          {shares.data.shares.length === 0 ? (
            <p className="empty">Not shared with any other organization.</p>
          ) : (
            <ul className="list" aria-label="Shared with">
              {shares.data.shares.map((share) => (
                <li key={share.id}>
                  <span>{share.name}</span>
                  <code className="muted">{share.slug}</code>
                  {canWrite ? (
                    <button
                      type="button"
                      className="link"
                      aria-label={`Stop sharing with ${share.name}`}
                      disabled={remove.isPending}
                      onClick={() => remove.mutate({ orgSlug, apiId, sharedOrgId: share.id })}
                    >
                      Remove
                    </button>
                  ) : null}
                </li>
              ))}
            </ul>
          )}
          <FormError message={formError(remove.error)} />
        </>
      )}
      {canWrite ? (
        <form className="inline-form" onSubmit={onSubmit} noValidate>
          <Field
            id="share-slug"
            label="Share with organization (slug)"
            autoComplete="off"
            value={slug}
            error={fieldErrors(add.error).shareWithSlug}
            onChange={(e) => setSlug(e.target.value)}
          />
          <button type="submit" disabled={add.isPending}>
            {add.isPending ? 'Sharing…' : 'Share'}
          </button>
        </form>
      ) : null}
      <FormError message={formError(add.error)} />
    </section>
  );
}
