'use client';

import { useMutation } from '@tanstack/react-query';
import { FormProvider } from 'react-hook-form';
import { applyServerErrors } from '../../../../../../../components/forms/errors';
import { SelectField, TextAreaField, TextField } from '../../../../../../../components/forms/fields';
import { SaveBar } from '../../../../../../../components/forms/save-bar';
import { useDraftForm, useSavedNote } from '../../../../../../../components/forms/use-draft-form';
import { useTRPC } from '../../../../../../../trpc/client';
import { type ApiDetails, toDetailsDraft, ZDetailsForm } from './details/details-draft';

const VISIBILITIES = [
  { value: 'PUBLIC', label: 'Public — every signed-in developer' },
  { value: 'ORG', label: 'Shared — this organization and the teams it is shared with' },
  { value: 'PRIVATE', label: 'Private — this organization only' },
];

const ACCURACIES = [
  { value: 'EXACT', label: 'Exact (default) — every request checked against the shared counters' },
  {
    value: 'LOCAL_FIRST',
    label: 'Local-first — faster, may overshoot a rate window by up to 1 % of its limit',
  },
];

/** Name, description, tags and visibility (what the catalog shows and who sees it), and limit accuracy. */
export function DetailsForm({
  orgSlug,
  api,
  onSaved,
}: {
  orgSlug: string;
  api: ApiDetails;
  onSaved: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const form = useDraftForm(ZDetailsForm, toDetailsDraft(api));
  const note = useSavedNote(form.formState.isDirty);
  const update = useMutation(
    trpc.api.update.mutationOptions({
      onSuccess: async (result) => {
        form.reset(toDetailsDraft({ ...api, ...result }));
        note.markSaved();
        await onSaved();
      },
      onError: (error) => applyServerErrors(form.setError, error),
    }),
  );
  const onSubmit = form.handleSubmit((input) => update.mutate({ orgSlug, apiId: api.id, ...input }));

  return (
    <FormProvider {...form}>
      <form className="card" onSubmit={onSubmit} noValidate aria-labelledby="details-title">
        <h2 id="details-title">Catalog details</h2>
        <TextField name="name" id="api-name" label="Name" />
        <TextAreaField name="description" id="api-description" label="Description" />
        <TextField
          name="tags"
          id="api-tags"
          label="Tags"
          hint="Comma-separated, e.g. weather, maps. Developers search and filter by them."
        />
        <SelectField name="visibility" id="api-visibility" label="Visibility" options={VISIBILITIES} />
        <SelectField
          name="rateLimitAccuracy"
          id="api-rate-limit-accuracy"
          label="Rate-limit accuracy"
          hint="Local-first decides in the gateway from a share of each limit leased from the shared counters; quotas are never exceeded."
          options={ACCURACIES}
        />
        <SaveBar label="Save details" saved={note.saved} pending={update.isPending} error={update.error} />
      </form>
    </FormProvider>
  );
}
