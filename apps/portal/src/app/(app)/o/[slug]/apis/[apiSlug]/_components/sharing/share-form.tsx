'use client';

import { ZSlugRef } from '@portcullis/core/schemas';
import { useMutation } from '@tanstack/react-query';
import { FormProvider } from 'react-hook-form';
import { z } from 'zod';
import { applyServerErrors } from '~/components/forms/errors';
import { TextField } from '~/components/forms/fields';
import { useDraftForm } from '~/components/forms/use-draft-form';
import { Button } from '~/components/ui/button';
import { FormMessage } from '~/components/ui/field';
import { toast } from '~/components/ui/toast';
import { formError, useTRPC } from '~/trpc/client';

const ZShareDraft = z.object({
  shareWithSlug: z.string().trim().min(1, 'Enter the organization’s slug').pipe(ZSlugRef),
});

/** Shares the API with one more organization, named by its slug. */
export function ShareForm({
  orgSlug,
  apiId,
  onShared,
}: {
  orgSlug: string;
  apiId: string;
  onShared: () => Promise<unknown>;
}) {
  const trpc = useTRPC();
  const form = useDraftForm(ZShareDraft, { shareWithSlug: '' });
  const add = useMutation(
    trpc.api.addShare.mutationOptions({
      onSuccess: async (_data, input) => {
        form.reset();
        await onShared();
        toast.success(`Shared with ${input.shareWithSlug}`);
      },
      onError: (error) => applyServerErrors(form.setError, error),
    }),
  );
  const onSubmit = form.handleSubmit(({ shareWithSlug }) => add.mutate({ orgSlug, apiId, shareWithSlug }));
  return (
    <FormProvider {...form}>
      <form className="flex max-w-md flex-wrap items-end gap-x-3" onSubmit={onSubmit} noValidate>
        <TextField
          name="shareWithSlug"
          id="share-slug"
          label="Share with organization (slug)"
          autoComplete="off"
        />
        <Button type="submit" className="mb-4" disabled={add.isPending}>
          {add.isPending ? 'Sharing…' : 'Share'}
        </Button>
      </form>
      <FormMessage message={formError(add.error)} />
    </FormProvider>
  );
}
