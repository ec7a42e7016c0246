'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { ChangelogList } from '~/components/changelog-list';
import { FormMessage } from '~/components/ui/field';
import { QueryState } from '~/components/ui/query-state';
import { toast } from '~/components/ui/toast';
import { formError, useTRPC } from '~/trpc/client';
import { AddEntry } from './add-entry';

/** The API's changelog; writers add and remove entries. */
export function ChangelogCard({
  slug,
  apiId,
  canWrite,
  onChanged,
}: {
  slug: string;
  apiId: string;
  canWrite: boolean;
  onChanged: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const changelog = useQuery({
    ...trpc.api.changelog.queryOptions({ orgSlug: slug, apiId }),
    enabled: Boolean(apiId),
  });
  const remove = useMutation(
    trpc.api.removeChangelog.mutationOptions({
      onSuccess: async () => {
        await onChanged();
        toast.success('Changelog entry removed');
      },
    }),
  );
  return (
    <section className="card" aria-labelledby="changelog-title">
      <h2 id="changelog-title">Changelog</h2>
      {canWrite ? (
        <AddEntry orgSlug={slug} apiId={apiId} onDone={onChanged} />
      ) : (
        <p className="text-sm text-muted">Owners and admins write the changelog.</p>
      )}
      <FormMessage message={formError(remove.error)} />
      <QueryState query={changelog} pendingLabel="Loading changelog">
        {(entries) => (
          <ChangelogList
            entries={entries}
            removing={remove.isPending ? (remove.variables?.entryId ?? null) : null}
            onRemove={canWrite ? (entryId) => remove.mutate({ orgSlug: slug, entryId }) : undefined}
          />
        )}
      </QueryState>
    </section>
  );
}
