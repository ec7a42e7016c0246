'use client';

import type { PromptRelease } from '@portcullis/core/prompt-release';
import type { ColumnDef } from '~/components/ui/data-table';
import { ReleaseButton } from './prompt-release-forms';
import { PromptVersionDiff } from './prompt-version-diff';

interface VersionRow {
  id: string;
  number: number;
  note: string;
  createdAt: Date;
  createdBy: string | null;
  livePercent: number | null;
  config: unknown;
}

export interface VersionsCtx {
  orgSlug: string;
  apiId: string;
  release: PromptRelease | null;
  canWrite: boolean;
  refresh: () => Promise<unknown>;
  working: unknown;
}

export function versionColumns(ctx: VersionsCtx): ColumnDef<VersionRow>[] {
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
  return [
    ...columns,
    {
      id: 'actions',
      header: () => <span className="sr-only">Actions</span>,
      enableSorting: false,
      meta: { actions: true, label: 'Actions' },
      cell: ({ row }) => (
        <div className="flex flex-wrap gap-2">
          <PromptVersionDiff
            number={row.original.number}
            config={row.original.config}
            working={ctx.working}
          />
          {ctx.canWrite && row.original.livePercent !== 100 ? (
            <ReleaseButton {...ctx} number={row.original.number} />
          ) : null}
        </div>
      ),
    },
  ];
}
