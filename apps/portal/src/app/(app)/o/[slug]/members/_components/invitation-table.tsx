'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Badge } from '~/components/ui/badge';
import { Button } from '~/components/ui/button';
import { type ColumnDef, DataTable } from '~/components/ui/data-table';
import { EmptyState } from '~/components/ui/empty-state';
import { FormMessage } from '~/components/ui/field';
import { QueryState } from '~/components/ui/query-state';
import { toast } from '~/components/ui/toast';
import { formError, useTRPC } from '~/trpc/client';
import { type InviteAnswer, InviteResult } from './invite-result';
import { formatDate, type MemberRole } from './roles';

interface InvitationRow {
  id: string;
  email: string;
  role: MemberRole;
  expiresAt: Date;
  expired: boolean;
}

function useInvitationActions(orgSlug: string, onResent: (answer: InviteAnswer) => void) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.members.invitations.queryKey({ orgSlug }) });
  const revoke = useMutation(
    trpc.members.revokeInvitation.mutationOptions({
      onSuccess: async () => {
        await refresh();
        toast.success('Invitation revoked');
      },
    }),
  );
  const resend = useMutation(
    trpc.members.invite.mutationOptions({
      onSuccess: async (answer) => {
        onResent(answer);
        await refresh();
      },
    }),
  );
  const error = formError(revoke.error) ?? formError(resend.error);
  return { revoke, resend, busy: revoke.isPending || resend.isPending, error };
}

export function PendingInvitations({ orgSlug, actorRole }: { orgSlug: string; actorRole: MemberRole }) {
  const trpc = useTRPC();
  const invitations = useQuery(trpc.members.invitations.queryOptions({ orgSlug }));
  const [resent, setResent] = useState<InviteAnswer | null>(null);
  const { revoke, resend, busy, error } = useInvitationActions(orgSlug, setResent);
  const columns: ColumnDef<InvitationRow>[] = [
    { id: 'email', header: 'Email', accessorKey: 'email' },
    {
      id: 'role',
      header: 'Role',
      accessorKey: 'role',
      cell: ({ row }) => <Badge>{row.original.role}</Badge>,
    },
    {
      id: 'expires',
      header: 'Expires',
      accessorKey: 'expiresAt',
      sortingFn: 'datetime',
      cell: ({ row: { original } }) =>
        original.expired ? <Badge tone="danger">expired</Badge> : formatDate(original.expiresAt),
    },
    {
      id: 'actions',
      header: () => <span className="sr-only">Actions</span>,
      enableSorting: false,
      meta: { actions: true, label: 'Actions' },
      cell: ({ row: { original } }) =>
        original.role === 'OWNER' && actorRole !== 'OWNER' ? (
          <span className="text-sm text-muted">Only owners manage owner invitations</span>
        ) : (
          <div className="flex flex-wrap gap-2">
            <Button
              variant="secondary"
              size="sm"
              disabled={busy}
              aria-label={`Resend the invitation to ${original.email}`}
              onClick={() => resend.mutate({ orgSlug, email: original.email, role: original.role })}
            >
              Resend
            </Button>
            <Button
              variant="danger"
              size="sm"
              disabled={busy}
              aria-label={`Revoke the invitation to ${original.email}`}
              onClick={() => revoke.mutate({ orgSlug, invitationId: original.id })}
            >
              Revoke
            </Button>
          </div>
        ),
    },
  ];
  return (
    <section className="card" aria-labelledby="pending-heading">
      <h2 id="pending-heading">Pending invitations</h2>
      <FormMessage message={error} />
      <QueryState
        query={invitations}
        pendingLabel="Loading invitations"
        isEmpty={(rows) => rows.length === 0}
        empty={<EmptyState title="No pending invitations." description="Invite a teammate by email above." />}
      >
        {(rows) => (
          <DataTable label="Pending invitations" columns={columns} data={rows} getRowId={(row) => row.id} />
        )}
      </QueryState>
      {resent ? <InviteResult answer={resent} /> : null}
    </section>
  );
}
