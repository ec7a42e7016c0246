'use client';

import { useMutation } from '@tanstack/react-query';
import { FormProvider } from 'react-hook-form';
import { applyServerErrors } from '~/components/forms/errors';
import { TextField } from '~/components/forms/fields';
import { FIX_FIELDS } from '~/components/forms/save-bar';
import { useDraftForm } from '~/components/forms/use-draft-form';
import { Button } from '~/components/ui/button';
import { FormMessage } from '~/components/ui/field';
import { toast } from '~/components/ui/toast';
import { formError, useTRPC } from '~/trpc/client';
import { firstSunsetDay, newDeprecation, sunsetAt, ZDeprecationDraft } from './lifecycle-draft';

const toField = (path: string) => (path === 'sunsetAt' ? 'sunset' : path);

/** Deprecates a published API with a sunset day and an optional message to its subscribers. */
export function DeprecateForm({
  orgSlug,
  apiId,
  onChanged,
}: {
  orgSlug: string;
  apiId: string;
  onChanged: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const form = useDraftForm(ZDeprecationDraft, newDeprecation());
  const deprecate = useMutation(
    trpc.policy.deprecate.mutationOptions({
      onSuccess: async () => {
        await onChanged();
        toast.success('API deprecated: subscribers are told');
      },
      onError: (error) => applyServerErrors(form.setError, error, toField),
    }),
  );
  const onSubmit = form.handleSubmit(({ sunset, message }) =>
    deprecate.mutate({ orgSlug, apiId, sunsetAt: sunsetAt(sunset), message }),
  );
  const invalid = Object.keys(form.formState.errors).length > 0;

  return (
    <FormProvider {...form}>
      <form className="mb-4" onSubmit={onSubmit} noValidate aria-label="Deprecate">
        <p className="text-muted">
          Deprecating keeps the API running, closes new subscriptions and tells every subscriber (in-app and
          by mail); the gateway adds <code>Deprecation</code> and <code>Sunset</code> headers to each
          response.
        </p>
        <TextField name="sunset" id="sunset-date" label="Sunset date" type="date" min={firstSunsetDay()} />
        <TextField name="message" id="deprecation-message" label="Message to subscribers (optional)" />
        <FormMessage message={formError(deprecate.error) ?? (invalid ? FIX_FIELDS : null)} />
        <Button type="submit" variant="secondary" disabled={deprecate.isPending}>
          {deprecate.isPending ? 'Deprecating…' : 'Deprecate API'}
        </Button>
      </form>
    </FormProvider>
  );
}
