'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { DataTable } from '~/components/ui/data-table';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';
import { PublishVersionForm } from './prompt-publish-form';
import { describeRelease } from './prompt-release-draft';
import { SplitTrafficForm } from './prompt-release-forms';
import { versionColumns } from './prompt-version-columns';

/** Published versions of a prompt API, what live traffic runs, and (for admins) publish and release. */
export function PromptVersionsSection({
  orgSlug,
  apiId,
  working,
}: {
  orgSlug: string;
  apiId: string;
  /** the working copy as last saved, to compare versions with */
  working: unknown;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.ai.promptVersions.queryOptions({ orgSlug, apiId }));
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.ai.promptVersions.queryKey({ orgSlug, apiId }) });
  return (
    <section className="card" aria-labelledby="prompt-versions-title">
      <h2 id="prompt-versions-title">Versions</h2>
      <p className="hint">
        Saving the prompt edits the working copy. Publishing snapshots it as the next version; releasing a
        version (or splitting traffic between two) is what changes live calls. Each answer names its version
        in the <code>x-portcullis-prompt-version</code> header.
      </p>
      <QueryState query={list} pendingLabel="Loading versions">
        {({ items, release, canWrite }) => {
          const ctx = { orgSlug, apiId, release, canWrite, refresh, working };
          return (
            <>
              <p data-testid="prompt-release">{describeRelease(release)}</p>
              {items.length === 0 ? (
                <EmptyState
                  title="No published version yet."
                  description={canWrite ? 'Publish the working copy below.' : undefined}
                />
              ) : (
                <DataTable
                  label="Prompt versions"
                  columns={versionColumns(ctx)}
                  data={items}
                  getRowId={(row) => row.id}
                  initialSorting={[{ id: 'number', desc: true }]}
                />
              )}
              {canWrite ? (
                <>
                  <PublishVersionForm {...ctx} />
                  {items.length >= 2 ? (
                    <SplitTrafficForm {...ctx} numbers={items.map((v) => v.number)} />
                  ) : null}
                </>
              ) : (
                <p className="muted">Only owners and admins can publish and release versions.</p>
              )}
            </>
          );
        }}
      </QueryState>
    </section>
  );
}
