'use client';

import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Button } from '~/components/ui/button';
import { Dialog } from '~/components/ui/dialog';
import { Field, FieldShell, FormMessage } from '~/components/ui/field';
import { Select } from '~/components/ui/select';
import { fieldErrors, formError, useTRPC } from '~/trpc/client';
import { ScopePicker } from './scope-picker';
import { emptyChoice, grantableTokenRoles, scopesOf, type TokenRole } from './scopes';

export interface CreatedToken {
  name: string;
  token: string;
}

/** The "New token" dialog: name, role (up to the creator's), scopes and an optional expiry. */
export function CreateToken({
  orgSlug,
  myRole,
  onCreated,
}: {
  orgSlug: string;
  myRole: TokenRole;
  onCreated: (created: CreatedToken) => void;
}) {
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [role, setRole] = useState<TokenRole>('VIEWER');
  const [choice, setChoice] = useState(emptyChoice);
  const [expiresOn, setExpiresOn] = useState('');
  const create = useMutation(
    trpc.apiTokens.create.mutationOptions({
      onSuccess: (created) => {
        onCreated({ name: created.name, token: created.token });
        setOpen(false);
        setName('');
        setChoice(emptyChoice());
        setExpiresOn('');
      },
    }),
  );
  const errors = fieldErrors(create.error);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    create.mutate({
      orgSlug,
      name,
      role,
      scopes: scopesOf(choice),
      expiresAt: expiresOn ? new Date(`${expiresOn}T00:00:00Z`) : null,
    });
  }

  return (
    <Dialog
      open={open}
      onOpenChange={setOpen}
      trigger={<Button>New token</Button>}
      title="New API token"
      description="The token acts as you, with at most the role and scopes you choose."
      className="max-w-2xl"
    >
      <form onSubmit={onSubmit} noValidate>
        <Field
          id="token-name"
          label="Name"
          required
          value={name}
          error={errors.name}
          onChange={(e) => setName(e.target.value)}
        />
        <FieldShell id="token-role" label="Role" error={errors.role}>
          <Select
            id="token-role"
            value={role}
            onValueChange={(value) => setRole(value as TokenRole)}
            options={grantableTokenRoles(myRole).map((r) => ({ value: r, label: r }))}
          />
        </FieldShell>
        <ScopePicker value={choice} onChange={setChoice} error={errors.scopes} />
        <Field
          id="token-expiry"
          label="Expires on (optional)"
          type="date"
          value={expiresOn}
          error={errors.expiresAt}
          onChange={(e) => setExpiresOn(e.target.value)}
        />
        <FormMessage message={formError(create.error)} />
        <Button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create token'}
        </Button>
      </form>
    </Dialog>
  );
}
