'use client';

import { type ColumnDef, DataTable } from '~/components/ui/data-table';
import { type MemberRow, RemoveMember, RoleControl } from './member-actions';
import { formatDate, type MemberRole, whyNotManageable } from './roles';

export function MemberTable({
  orgSlug,
  rows,
  actorRole,
  myId,
}: {
  orgSlug: string;
  rows: MemberRow[];
  actorRole: MemberRole;
  myId: string | undefined;
}) {
  const columns: ColumnDef<MemberRow>[] = [
    {
      id: 'member',
      header: 'Member',
      accessorFn: (row) => row.name ?? row.email,
      cell: ({ row: { original } }) => (
        <span className="[overflow-wrap:anywhere]">
          {original.name ?? original.email}
          {original.userId === myId ? <span className="text-muted"> (you)</span> : null}
          {original.name ? <span className="block text-muted">{original.email}</span> : null}
        </span>
      ),
    },
    {
      id: 'role',
      header: 'Role',
      accessorKey: 'role',
      cell: ({ row: { original } }) => (
        <RoleControl
          orgSlug={orgSlug}
          row={original}
          actorRole={actorRole}
          reason={whyNotManageable(actorRole, original.role, original.userId === myId)}
        />
      ),
    },
    {
      id: 'joined',
      header: 'Joined',
      accessorKey: 'joinedAt',
      sortingFn: 'datetime',
      cell: ({ row: { original } }) => formatDate(original.joinedAt),
    },
    {
      id: 'actions',
      header: () => <span className="sr-only">Actions</span>,
      enableSorting: false,
      meta: { actions: true, label: 'Actions' },
      cell: ({ row: { original } }) =>
        whyNotManageable(actorRole, original.role, original.userId === myId) ? null : (
          <RemoveMember orgSlug={orgSlug} row={original} />
        ),
    },
  ];
  return <DataTable label="Team" columns={columns} data={rows} getRowId={(row) => row.userId} />;
}
