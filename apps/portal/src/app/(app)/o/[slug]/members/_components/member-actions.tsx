'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Badge } from '~/components/ui/badge';
import { Button } from '~/components/ui/button';
import { Dialog, DialogClose } from '~/components/ui/dialog';
import { FormMessage } from '~/components/ui/field';
import { Select } from '~/components/ui/select';
import { toast } from '~/components/ui/toast';
import { formError, useTRPC } from '~/trpc/client';
import { grantableRoles, type MemberRole } from './roles';

export interface MemberRow {
  userId: string;
  email: string;
  name: string | null;
  role: MemberRole;
  joinedAt: Date;
}

function useRefreshMembers(orgSlug: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: trpc.members.list.queryKey({ orgSlug }) });
}

export function RoleControl({
  orgSlug,
  row,
  actorRole,
  reason,
}: {
  orgSlug: string;
  row: MemberRow;
  actorRole: MemberRole;
  reason: string | null;
}) {
  const trpc = useTRPC();
  const refresh = useRefreshMembers(orgSlug);
  const changeRole = useMutation(
    trpc.members.changeRole.mutationOptions({
      onSuccess: async (_, input) => {
        await refresh();
        toast.success(`${row.email} is now ${input.role}`);
      },
    }),
  );
  if (reason) {
    return (
      <span className="inline-flex flex-wrap items-center gap-2">
        <Badge>{row.role}</Badge>
        <span className="text-sm text-muted">{reason}</span>
      </span>
    );
  }
  const shown = changeRole.isPending ? (changeRole.variables?.role ?? row.role) : row.role;
  return (
    <div className="max-w-48">
      <Select
        aria-label={`Role of ${row.email}`}
        value={shown}
        disabled={changeRole.isPending}
        onValueChange={(role) => changeRole.mutate({ orgSlug, userId: row.userId, role: role as MemberRole })}
        options={grantableRoles(actorRole).map((role) => ({ value: role, label: role }))}
      />
      <FormMessage message={formError(changeRole.error)} />
    </div>
  );
}

export function RemoveMember({ orgSlug, row }: { orgSlug: string; row: MemberRow }) {
  const trpc = useTRPC();
  const refresh = useRefreshMembers(orgSlug);
  const [open, setOpen] = useState(false);
  const remove = useMutation(
    trpc.members.remove.mutationOptions({
      onSuccess: async () => {
        setOpen(false);
        await refresh();
        toast.success(`${row.email} was removed`);
      },
    }),
  );
  const who = row.name ? `${row.name} (${row.email})` : row.email;
  return (
    <Dialog
      open={open}
      onOpenChange={setOpen}
      title={`Remove ${row.name ?? row.email}?`}
      description={`${row.email} loses access to this organization's APIs, apps and keys.`}
      trigger={
        <Button variant="danger" size="sm" aria-label={`Remove ${who}`}>
          Remove
        </Button>
      }
    >
      <FormMessage message={formError(remove.error)} />
      <div className="flex flex-wrap gap-2">
        <Button
          variant="danger"
          disabled={remove.isPending}
          onClick={() => remove.mutate({ orgSlug, userId: row.userId })}
        >
          {remove.isPending ? 'Removing…' : 'Confirm removal'}
        </Button>
        <DialogClose asChild>
          <Button variant="secondary">Cancel</Button>
        </DialogClose>
      </div>
    </Dialog>
  );
}
