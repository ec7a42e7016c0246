'use client';

import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Button } from '~/components/ui/button';
import { Field, FormMessage } from '~/components/ui/field';
import { fieldErrors, formError, useTRPC } from '~/trpc/client';

/** Name a new key and, optionally, the day it stops working. */
export function KeyCreateForm({
  orgSlug,
  appId,
  onCreated,
}: {
  orgSlug: string;
  appId: string;
  onCreated: (plaintext: string) => Promise<unknown>;
}) {
  const trpc = useTRPC();
  const [name, setName] = useState('');
  const [expiry, setExpiry] = useState('');
  const create = useMutation(
    trpc.key.create.mutationOptions({
      onSuccess: async (result) => {
        setName('');
        setExpiry('');
        await onCreated(result.plaintext);
      },
    }),
  );
  const errors = fieldErrors(create.error);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    // An expiry date means the end of that day (UTC).
    create.mutate({ orgSlug, appId, name, expiresAt: expiry ? `${expiry}T23:59:59Z` : null });
  }

  return (
    <form className="flex flex-wrap items-start gap-x-3" onSubmit={onSubmit} noValidate>
      <Field
        id="key-name"
        label="Key name"
        required
        value={name}
        error={errors.name}
        onChange={(e) => setName(e.target.value)}
        fieldClassName="min-w-48 flex-1"
      />
      <Field
        id="key-expiry"
        label="Expires (optional)"
        type="date"
        value={expiry}
        error={errors.expiresAt}
        onChange={(e) => setExpiry(e.target.value)}
        fieldClassName="min-w-40"
      />
      {/* aligned with the inputs, below their labels */}
      <Button type="submit" className="mt-6 mb-4" disabled={create.isPending}>
        {create.isPending ? 'Creating…' : 'Create key'}
      </Button>
      <div className="basis-full">
        <FormMessage message={formError(create.error)} />
      </div>
    </form>
  );
}
