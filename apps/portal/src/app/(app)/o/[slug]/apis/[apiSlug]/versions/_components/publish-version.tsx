'use client';

import { useMutation } from '@tanstack/react-query';
import { FormProvider } from 'react-hook-form';
import { z } from 'zod';
import { applyServerErrors } from '~/components/forms/errors';
import { TextAreaField, TextField } from '~/components/forms/fields';
import { useDraftForm } from '~/components/forms/use-draft-form';
import { Button } from '~/components/ui/button';
import { FormMessage } from '~/components/ui/field';
import { toast } from '~/components/ui/toast';
import { formError, useTRPC } from '~/trpc/client';

/** What is typed; the server checks the version string and the notes' length. */
const ZPublishDraft = z.object({ version: z.string(), notes: z.string() });
const EMPTY = { version: '', notes: '' };

export function PublishVersion({
  orgSlug,
  apiId,
  onDone,
}: {
  orgSlug: string;
  apiId: string;
  onDone: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const form = useDraftForm(ZPublishDraft, EMPTY);
  const publish = useMutation(
    trpc.api.publishVersion.mutationOptions({
      onSuccess: async (result) => {
        form.reset(EMPTY);
        await onDone();
        toast.success(`Version ${result.version} published`);
      },
      onError: (error) => applyServerErrors(form.setError, error),
    }),
  );
  const onSubmit = form.handleSubmit((input) => publish.mutate({ orgSlug, apiId, ...input }));
  return (
    <FormProvider {...form}>
      <form onSubmit={onSubmit} noValidate aria-labelledby="publish-version-title">
        <h3 id="publish-version-title">Publish a new version</h3>
        <p className="text-muted">
          Keeps today&apos;s OpenAPI document under a new version string, compares it with the previous
          version and writes a changelog entry (flagged breaking when the diff finds breaking changes;
          subscribers are then told).
        </p>
        <TextField name="version" id="new-version" label="Version" placeholder="v2" />
        <TextAreaField
          name="notes"
          id="version-notes"
          label="Release notes (optional: empty lists the changes found)"
        />
        <FormMessage message={formError(publish.error)} />
        <Button type="submit" disabled={publish.isPending}>
          {publish.isPending ? 'Publishing…' : 'Publish version'}
        </Button>
        {publish.data ? (
          <p role="status">
            Published {publish.data.version}: {publish.data.diff.breaking} breaking,{' '}
            {publish.data.diff.nonBreaking} other change{publish.data.diff.nonBreaking === 1 ? '' : 's'}.
          </p>
        ) : null}
      </form>
    </FormProvider>
  );
}
