'use client';

import { useMutation } from '@tanstack/react-query';
import { Badge } from '~/components/ui/badge';
import { Button } from '~/components/ui/button';
import { type ColumnDef, DataTable } from '~/components/ui/data-table';
import { useTRPC } from '~/trpc/client';

export interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  last4: string;
  role: string;
  scopes: string[];
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

const day = (at: Date | null) => (at ? new Date(at).toISOString().slice(0, 10) : '—');

function Revoke({ orgSlug, row, onDone }: { orgSlug: string; row: TokenRow; onDone: () => unknown }) {
  const trpc = useTRPC();
  const revoke = useMutation(trpc.apiTokens.revoke.mutationOptions({ onSuccess: onDone }));
  if (row.revokedAt) return <Badge>Revoked</Badge>;
  return (
    <Button
      variant="secondary"
      size="sm"
      disabled={revoke.isPending}
      onClick={() => revoke.mutate({ orgSlug, tokenId: row.id })}
      aria-label={`Revoke ${row.name}`}
    >
      Revoke
    </Button>
  );
}

function columns(orgSlug: string, onChanged: () => unknown): ColumnDef<TokenRow>[] {
  return [
    { id: 'name', header: 'Name', accessorKey: 'name' },
    {
      id: 'token',
      header: 'Token',
      enableSorting: false,
      cell: ({ row }) => <code>{`${row.original.prefix}…${row.original.last4}`}</code>,
    },
    { id: 'role', header: 'Role', accessorKey: 'role' },
    {
      id: 'scopes',
      header: 'Scopes',
      enableSorting: false,
      cell: ({ row }) => row.original.scopes.join(', '),
    },
    { id: 'lastUsed', header: 'Last used', cell: ({ row }) => day(row.original.lastUsedAt) },
    { id: 'expires', header: 'Expires', cell: ({ row }) => day(row.original.expiresAt) },
    {
      id: 'actions',
      header: () => <span className="sr-only">Actions</span>,
      enableSorting: false,
      meta: { actions: true, label: 'Actions' },
      cell: ({ row }) => <Revoke orgSlug={orgSlug} row={row.original} onDone={onChanged} />,
    },
  ];
}

export function TokenTable({
  orgSlug,
  rows,
  onChanged,
}: {
  orgSlug: string;
  rows: TokenRow[];
  onChanged: () => unknown;
}) {
  return (
    <DataTable
      label="API tokens"
      columns={columns(orgSlug, onChanged)}
      data={rows}
      getRowId={(row) => row.id}
      rowTestId="api-token-row"
    />
  );
}
