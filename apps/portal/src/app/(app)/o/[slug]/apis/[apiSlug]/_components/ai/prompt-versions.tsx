'use client';

import { type PromptRelease, releasedNumbers } from '@portcullis/core/prompt-release';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { Button } from '~/components/ui/button';
import { DataTable } from '~/components/ui/data-table';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';
import { PublishVersionForm } from './prompt-publish-form';
import { describeRelease } from './prompt-release-draft';
import { SplitTrafficForm } from './prompt-release-forms';
import { versionColumns } from './prompt-version-columns';

const VERSIONS_PAGE_SIZE = 50;

/** The loaded versions, and the released ones even when they are on a page not loaded yet. */
function splitChoices(items: { number: number }[], release: PromptRelease | null): number[] {
  const numbers = new Set(items.map((v) => v.number));
  if (release) for (const n of releasedNumbers(release)) numbers.add(n);
  return [...numbers].sort((a, b) => b - a);
}

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
  const input = { orgSlug, apiId, limit: VERSIONS_PAGE_SIZE };
  const list = useInfiniteQuery(
    trpc.ai.promptVersions.infiniteQueryOptions(input, {
      getNextPageParam: (last) => last.nextCursor ?? undefined,
    }),
  );
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.ai.promptVersions.infiniteQueryKey(input) });
  return (
    <section className="card" aria-labelledby="prompt-versions-title">
      <h2 id="prompt-versions-title">Versions</h2>
      <p className="hint">
        Saving the prompt edits the working copy. Publishing snapshots it as the next version; releasing a
        version (or splitting traffic between two) is what changes live calls. Each answer names its version
        in the <code>x-portcullis-prompt-version</code> header.
      </p>
      <QueryState query={list} pendingLabel="Loading versions">
        {({ pages }) => {
          // Every page carries the release and the role; the first page's are the freshest.
          const { release, canWrite } = pages[0] ?? { release: null, canWrite: false };
          const items = pages.flatMap((page) => page.items);
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
                  pageSize={VERSIONS_PAGE_SIZE * pages.length}
                />
              )}
              {list.hasNextPage ? (
                <Button
                  variant="secondary"
                  className="mt-3"
                  disabled={list.isFetchingNextPage}
                  onClick={() => void list.fetchNextPage()}
                >
                  {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
                </Button>
              ) : null}
              {canWrite ? (
                <>
                  <PublishVersionForm {...ctx} />
                  {items.length >= 2 ? (
                    <SplitTrafficForm {...ctx} numbers={splitChoices(items, release)} />
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
