'use client';

import { useMutation } from '@tanstack/react-query';
import { FormProvider } from 'react-hook-form';
import { z } from 'zod';
import { applyServerErrors } from '~/components/forms/errors';
import { CheckboxField, TextAreaField, TextField } from '~/components/forms/fields';
import { useDraftForm } from '~/components/forms/use-draft-form';
import { Button } from '~/components/ui/button';
import { FormMessage } from '~/components/ui/field';
import { toast } from '~/components/ui/toast';
import { formError, useTRPC } from '~/trpc/client';

/** What is typed; the server checks the title, the version string and the lengths. */
const ZEntryDraft = z.object({
  title: z.string(),
  version: z.string(),
  body: z.string(),
  breaking: z.boolean(),
});
const EMPTY = { title: '', version: '', body: '', breaking: false };

/** A hand-written changelog entry (for changes the OpenAPI diff does not see). */
export function AddEntry({
  orgSlug,
  apiId,
  onDone,
}: {
  orgSlug: string;
  apiId: string;
  onDone: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const form = useDraftForm(ZEntryDraft, EMPTY);
  const add = useMutation(
    trpc.api.addChangelog.mutationOptions({
      onSuccess: async () => {
        // The version stays: several entries often belong to the same one.
        form.reset({ ...EMPTY, version: form.getValues('version') });
        await onDone();
        toast.success('Changelog entry added');
      },
      onError: (error) => applyServerErrors(form.setError, error),
    }),
  );
  const onSubmit = form.handleSubmit((input) => add.mutate({ orgSlug, apiId, ...input }));
  return (
    <FormProvider {...form}>
      <form onSubmit={onSubmit} noValidate aria-labelledby="add-entry-title">
        <h3 id="add-entry-title">Add a changelog entry</h3>
        <div className="row">
          <TextField name="title" id="entry-title" label="Title" />
          <TextField name="version" id="entry-version" label="Version (empty: current)" />
        </div>
        <TextAreaField name="body" id="entry-body" label="Details" />
        <CheckboxField name="breaking" id="entry-breaking" label="Breaking change" />
        <FormMessage message={formError(add.error)} />
        <Button type="submit" disabled={add.isPending}>
          {add.isPending ? 'Adding…' : 'Add entry'}
        </Button>
      </form>
    </FormProvider>
  );
}
