'use client';

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { lines } from '~/components/config-fields';
import { fieldErrors, formError, useTRPC } from '~/trpc/client';
import {
  type CredentialDraft,
  type CredentialRow,
  credentialInput,
  draftAfterSave,
  initialDraft,
} from './credential-draft';

/** State and saving of the credential form: adds one (no `row`) or updates `row`. */
export function useCredentialForm(
  orgSlug: string,
  row: CredentialRow | undefined,
  onDone: () => Promise<void>,
) {
  const trpc = useTRPC();
  const [draft, setDraft] = useState<CredentialDraft>(() => initialDraft(row));
  const [saved, setSaved] = useState(false);
  const done = {
    onSuccess: async () => {
      setSaved(true);
      setDraft((d) => draftAfterSave(d, row !== undefined));
      await onDone();
    },
  };
  const create = useMutation(trpc.ai.createCredential.mutationOptions(done));
  const update = useMutation(trpc.ai.updateCredential.mutationOptions(done));
  const mutation = row ? update : create;
  return {
    draft,
    set: (key: keyof CredentialDraft) => (value: string) => setDraft((d) => ({ ...d, [key]: value })),
    saved: saved && !mutation.isPending,
    pending: mutation.isPending,
    errors: fieldErrors(mutation.error),
    error: formError(mutation.error),
    submit: () => {
      setSaved(false);
      const call = credentialInput(orgSlug, draft, lines(draft.headers), row);
      if (call.kind === 'update') update.mutate(call.input);
      else create.mutate(call.input);
    },
  };
}
