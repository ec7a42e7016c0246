'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button } from '~/components/ui/button';
import { EmptyState } from '~/components/ui/empty-state';
import { FormMessage } from '~/components/ui/field';
import { QueryState } from '~/components/ui/query-state';
import { toast } from '~/components/ui/toast';
import { formError, useTRPC } from '~/trpc/client';
import { ShareForm } from './sharing/share-form';

/** ORG visibility: the teams (orgs) this API is shared with, by slug. */
export function Sharing({ orgSlug, apiId, canWrite }: { orgSlug: string; apiId: string; canWrite: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const shares = useQuery(trpc.api.shares.queryOptions({ orgSlug, apiId }));
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.api.shares.queryKey({ orgSlug, apiId }) });
  const remove = useMutation(
    trpc.api.removeShare.mutationOptions({
      onSuccess: async () => {
        await refresh();
        toast.success('Sharing stopped');
      },
    }),
  );

  return (
    <section className="card" aria-labelledby="sharing-title">
      <h2 id="sharing-title">Sharing</h2>
      <QueryState query={shares} pendingLabel="Loading shares">
        {(data) => (
          <>
            <p className="text-muted">
              {data.visibility === 'ORG'
                ? 'Besides your organization, these teams see the API in their catalog and can subscribe.'
                : 'Shares only apply while the visibility is “Shared”; they are kept meanwhile.'}
            </p>
            {data.shares.length === 0 ? (
              <EmptyState
                title="Not shared with any other organization."
                description={
                  canWrite
                    ? 'Name a team by its slug below to let it see and subscribe to this API.'
                    : 'Owners and admins share APIs with other teams.'
                }
              />
            ) : (
              <ul className="m-0 mb-4 list-none divide-y divide-line p-0" aria-label="Shared with">
                {data.shares.map((share) => (
                  <li key={share.id} className="flex flex-wrap items-center gap-3 py-2">
                    <span>{share.name}</span>
                    <code className="text-muted">{share.slug}</code>
                    {canWrite ? (
                      <Button
                        variant="link"
                        className="ml-auto"
                        aria-label={`Stop sharing with ${share.name}`}
                        disabled={remove.isPending}
                        onClick={() => remove.mutate({ orgSlug, apiId, sharedOrgId: share.id })}
                      >
                        Remove
                      </Button>
                    ) : null}
                  </li>
                ))}
              </ul>
            )}
            <FormMessage message={formError(remove.error)} />
          </>
        )}
      </QueryState>
      {canWrite ? (
        <ShareForm orgSlug={orgSlug} apiId={apiId} onShared={refresh} />
      ) : (
        <p className="text-sm text-muted">Owners and admins choose the teams an API is shared with.</p>
      )}
    </section>
  );
}
