'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';
import { CredentialForm } from './credential-form';
import { CredentialItem } from './credential-item';

const WRITE_REASON = 'Only owners and admins can add or change credentials.';

/** The org's accounts at LLM providers; owners and admins add, edit and delete them. */
export function CredentialsSection({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.ai.credentials.queryOptions({ orgSlug }));
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.ai.credentials.queryKey({ orgSlug }) });
  return (
    <section aria-labelledby="credentials-title">
      <h2 id="credentials-title">Provider credentials</h2>
      <p className="muted">
        Your accounts at LLM providers. Model routes of your AI and prompt APIs call through them.
      </p>
      <QueryState query={list} pendingLabel="Loading credentials">
        {({ items, canWrite }) => (
          <>
            {items.length === 0 ? (
              <EmptyState
                title="No credentials yet."
                description={
                  canWrite
                    ? 'Add your first one below: model routes need one to reach a provider.'
                    : WRITE_REASON
                }
              />
            ) : (
              <ul className="list" aria-label="Credentials">
                {items.map((row) => (
                  <CredentialItem
                    key={row.id}
                    orgSlug={orgSlug}
                    row={row}
                    canWrite={canWrite}
                    onChanged={refresh}
                  />
                ))}
              </ul>
            )}
            {canWrite ? (
              <CredentialForm orgSlug={orgSlug} onDone={refresh} />
            ) : items.length > 0 ? (
              <p className="muted" data-testid="credentials-read-only">
                {WRITE_REASON}
              </p>
            ) : null}
          </>
        )}
      </QueryState>
    </section>
  );
}
