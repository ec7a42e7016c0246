'use client';

import { useMemo } from 'react';
import { Badge } from '~/components/ui/badge';
import { type ColumnDef, DataTable } from '~/components/ui/data-table';
import { KeyActions, type KeyRow, keyLabel } from './key-actions';
import { type KeyState, keyState, relativeTime } from './key-time';

const usable = (state: KeyState) => state === 'active' || state === 'expiring';

function When({ at }: { at: Date | null }) {
  if (!at) return <>never</>;
  return (
    <time dateTime={at.toISOString()} title={at.toLocaleString()}>
      {relativeTime(at, Date.now())}
    </time>
  );
}

function keyColumns(
  orgSlug: string,
  canWrite: boolean,
  onChanged: () => Promise<unknown>,
  onRotated: (plaintext: string, replaces: string) => void,
): ColumnDef<KeyRow>[] {
  const columns: ColumnDef<KeyRow>[] = [
    { id: 'name', header: 'Name', accessorKey: 'name' },
    {
      id: 'key',
      header: 'Key',
      enableSorting: false,
      accessorFn: keyLabel,
      cell: ({ row: { original } }) => <code>{keyLabel(original)}</code>,
    },
    {
      id: 'status',
      header: 'Status',
      accessorFn: (row) => keyState(row, Date.now()),
      cell: ({ getValue }) => {
        const state = getValue<KeyState>();
        const tone =
          state === 'active'
            ? 'ok'
            : state === 'expiring'
              ? 'warn'
              : state === 'revoked'
                ? 'danger'
                : 'neutral';
        return <Badge tone={tone}>{state}</Badge>;
      },
    },
    {
      id: 'expires',
      header: 'Expires',
      // never expiring sorts last
      accessorFn: (row) => row.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY,
      cell: ({ row: { original } }) => <When at={original.expiresAt} />,
    },
    {
      id: 'lastUsed',
      header: 'Last used',
      accessorFn: (row) => row.lastUsedAt?.getTime() ?? 0,
      cell: ({ row: { original } }) => <When at={original.lastUsedAt} />,
    },
  ];
  if (!canWrite) return columns;
  return [
    ...columns,
    {
      id: 'actions',
      header: () => <span className="sr-only">Actions</span>,
      enableSorting: false,
      meta: { actions: true, label: 'Actions' },
      cell: ({ row: { original } }) =>
        usable(keyState(original, Date.now())) ? (
          <KeyActions orgSlug={orgSlug} keyRow={original} onChanged={onChanged} onRotated={onRotated} />
        ) : null,
    },
  ];
}

/** The app's keys, newest first: name, the key's visible ends, state, expiry, last use and actions. */
export function KeyTable({
  orgSlug,
  rows,
  canWrite,
  onChanged,
  onRotated,
}: {
  orgSlug: string;
  rows: KeyRow[];
  canWrite: boolean;
  onChanged: () => Promise<unknown>;
  onRotated: (plaintext: string, replaces: string) => void;
}) {
  // Stable columns: a cell's in-place confirmation keeps its state while the keys refresh.
  const columns = useMemo(
    () => keyColumns(orgSlug, canWrite, onChanged, onRotated),
    [orgSlug, canWrite, onChanged, onRotated],
  );
  return <DataTable label="API keys" columns={columns} data={rows} getRowId={(row) => row.id} />;
}
