'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Button } from '~/components/ui/button';
import { describedBy, Field, FieldShell, FormMessage } from '~/components/ui/field';
import { Select } from '~/components/ui/select';
import { fieldErrors, formError, useTRPC } from '~/trpc/client';
import { type InviteAnswer, InviteResult } from './invite-result';
import { grantableRoles, type MemberRole, ROLE_HINTS } from './roles';

export function InviteForm({ orgSlug, actorRole }: { orgSlug: string; actorRole: MemberRole }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<MemberRole>('DEVELOPER');
  const [answer, setAnswer] = useState<InviteAnswer | null>(null);
  const invite = useMutation(
    trpc.members.invite.mutationOptions({
      onSuccess: async (invitation) => {
        setAnswer(invitation);
        setEmail('');
        await queryClient.invalidateQueries({ queryKey: trpc.members.invitations.queryKey({ orgSlug }) });
      },
    }),
  );
  const errors = fieldErrors(invite.error);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setAnswer(null);
    invite.mutate({ orgSlug, email, role });
  }

  return (
    <section className="card" aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite a teammate</h2>
      <form className="flex flex-wrap items-end gap-3" onSubmit={onSubmit} noValidate>
        <Field
          id="invite-email"
          label="Email address"
          type="email"
          autoComplete="off"
          required
          value={email}
          error={errors.email}
          fieldClassName="mb-0 flex-[1_1_16rem]"
          onChange={(e) => setEmail(e.target.value)}
        />
        <FieldShell id="invite-role" label="Role" error={errors.role} className="mb-0 flex-[1_1_14rem]">
          <Select
            id="invite-role"
            value={role}
            onValueChange={(value) => setRole(value as MemberRole)}
            aria-describedby={describedBy('invite-role', errors.role)}
            options={grantableRoles(actorRole).map((r) => ({ value: r, label: ROLE_HINTS[r] }))}
          />
        </FieldShell>
        <Button type="submit" disabled={invite.isPending}>
          {invite.isPending ? 'Sending…' : 'Send invitation'}
        </Button>
      </form>
      <FormMessage message={formError(invite.error)} />
      {answer ? <InviteResult answer={answer} /> : null}
    </section>
  );
}
