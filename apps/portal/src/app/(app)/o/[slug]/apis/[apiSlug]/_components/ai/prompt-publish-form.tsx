'use client';

import type { PromptRelease } from '@portcullis/core/prompt-release';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { SavedNote } from '~/components/config-fields';
import { Button } from '~/components/ui/button';
import { Field, FormMessage } from '~/components/ui/field';
import { fieldErrors, formError, useTRPC } from '~/trpc/client';

export interface VersionFormProps {
  orgSlug: string;
  apiId: string;
  release: PromptRelease | null;
  refresh: () => Promise<unknown>;
}

/** Snapshots the working copy (as last saved) as the next version, with a note. */
export function PublishVersionForm({ orgSlug, apiId, refresh }: VersionFormProps) {
  const trpc = useTRPC();
  const [note, setNote] = useState('');
  const publish = useMutation(
    trpc.ai.publishPromptVersion.mutationOptions({
      onSuccess: async () => {
        setNote('');
        await refresh();
      },
    }),
  );
  return (
    <form
      noValidate
      aria-label="Publish a version"
      onSubmit={(event) => {
        event.preventDefault();
        publish.mutate({ orgSlug, apiId, note });
      }}
    >
      <h3>Publish the working copy</h3>
      <Field
        id="prompt-version-note"
        label="Note"
        hint="What changed, for whoever reads the list later (optional)."
        value={note}
        maxLength={500}
        error={fieldErrors(publish.error).note}
        onChange={(event) => setNote(event.target.value)}
      />
      <FormMessage message={formError(publish.error)} />
      <div className="form-actions">
        <Button type="submit" disabled={publish.isPending}>
          {publish.isPending ? 'Publishing…' : 'Publish version'}
        </Button>
        <SavedNote show={publish.isSuccess && !publish.isPending}>
          Published version {publish.data?.number}
        </SavedNote>
      </div>
    </form>
  );
}
