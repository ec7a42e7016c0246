'use client';

import type { PromptRelease } from '@portcullis/core/prompt-release';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type ColumnDef, DataTable } from '~/components/ui/data-table';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';
import { PublishVersionForm } from './prompt-publish-form';
import { describeRelease } from './prompt-release-draft';
import { ReleaseButton, SplitTrafficForm } from './prompt-release-forms';

interface VersionRow {
  id: string;
  number: number;
  note: string;
  createdAt: Date;
  createdBy: string | null;
  livePercent: number | null;
}

interface Ctx {
  orgSlug: string;
  apiId: string;
  release: PromptRelease | null;
  canWrite: boolean;
  refresh: () => Promise<unknown>;
}

function versionColumns(ctx: Ctx): ColumnDef<VersionRow>[] {
  const columns: ColumnDef<VersionRow>[] = [
    { id: 'number', header: 'Version', accessorKey: 'number' },
    { id: 'note', header: 'Note', accessorKey: 'note', cell: ({ row }) => row.original.note || '—' },
    { id: 'createdBy', header: 'Published by', cell: ({ row }) => row.original.createdBy ?? '—' },
    {
      id: 'createdAt',
      header: 'Published',
      accessorKey: 'createdAt',
      cell: ({ row }) => new Date(row.original.createdAt).toLocaleString(),
    },
    {
      id: 'live',
      header: 'Live',
      accessorKey: 'livePercent',
      cell: ({ row }) => (row.original.livePercent === null ? '—' : `${row.original.livePercent} %`),
    },
  ];
  if (!ctx.canWrite) return columns;
  return [
    ...columns,
    {
      id: 'actions',
      header: () => <span className="sr-only">Actions</span>,
      enableSorting: false,
      meta: { actions: true, label: 'Actions' },
      cell: ({ row }) =>
        row.original.livePercent === 100 ? null : <ReleaseButton {...ctx} number={row.original.number} />,
    },
  ];
}

/** Published versions of a prompt API, what live traffic runs, and (for admins) publish and release. */
export function PromptVersionsSection({ orgSlug, apiId }: { orgSlug: string; apiId: string }) {
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
          const ctx = { orgSlug, apiId, release, canWrite, refresh };
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
