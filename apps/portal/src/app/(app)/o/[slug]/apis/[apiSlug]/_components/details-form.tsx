'use client';

import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import {
  errorFor,
  SavedNote,
  SelectField,
  TextAreaField,
} from '../../../../../../../components/config-fields';
import { Field, FormError } from '../../../../../../../components/form';
import { fieldErrors, formError, useTRPC } from '../../../../../../../trpc/client';
import { FIX_FIELDS } from './messages';

const VISIBILITIES = [
  { value: 'PUBLIC', label: 'Public — every signed-in developer' },
  { value: 'ORG', label: 'Shared — this organization and the teams it is shared with' },
  { value: 'PRIVATE', label: 'Private — this organization only' },
] as const;
type Visibility = (typeof VISIBILITIES)[number]['value'];

const ACCURACIES = [
  { value: 'EXACT', label: 'Exact (default) — every request checked against the shared counters' },
  {
    value: 'LOCAL_FIRST',
    label: 'Local-first — faster, may overshoot a rate window by up to 1 % of its limit',
  },
] as const;
type Accuracy = (typeof ACCURACIES)[number]['value'];

export interface ApiDetails {
  id: string;
  name: string;
  description: string;
  tags: string[];
  visibility: Visibility;
  rateLimitAccuracy: Accuracy;
}

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
  const [name, setName] = useState(api.name);
  const [description, setDescription] = useState(api.description);
  const [tags, setTags] = useState(api.tags.join(', '));
  const [visibility, setVisibility] = useState<Visibility>(api.visibility);
  const [accuracy, setAccuracy] = useState<Accuracy>(api.rateLimitAccuracy);
  const [saved, setSaved] = useState(false);
  const update = useMutation(
    trpc.api.update.mutationOptions({
      onSuccess: async () => {
        setSaved(true);
        await onSaved();
      },
    }),
  );
  const errors = fieldErrors(update.error);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    update.mutate({
      orgSlug,
      apiId: api.id,
      name,
      description,
      tags: tags
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
      visibility,
      rateLimitAccuracy: accuracy,
    });
  }

  return (
    <form className="card" onSubmit={onSubmit} noValidate aria-labelledby="details-title">
      <h2 id="details-title">Catalog details</h2>
      <Field
        id="api-name"
        label="Name"
        value={name}
        error={errors.name}
        onChange={(e) => setName(e.target.value)}
      />
      <TextAreaField
        id="api-description"
        label="Description"
        value={description}
        error={errors.description}
        onChange={(e) => setDescription(e.target.value)}
      />
      <Field
        id="api-tags"
        label="Tags"
        hint="Comma-separated, e.g. weather, maps. Developers search and filter by them."
        value={tags}
        error={errorFor(errors, 'tags')}
        onChange={(e) => setTags(e.target.value)}
      />
      <SelectField
        id="api-visibility"
        label="Visibility"
        options={VISIBILITIES}
        value={visibility}
        error={errors.visibility}
        onChange={(e) => setVisibility(e.target.value as Visibility)}
      />
      <SelectField
        id="api-rate-limit-accuracy"
        label="Rate-limit accuracy"
        hint="Local-first decides in the gateway from a share of each limit leased from the shared counters; quotas are never exceeded."
        options={ACCURACIES}
        value={accuracy}
        error={errors.rateLimitAccuracy}
        onChange={(e) => setAccuracy(e.target.value as Accuracy)}
      />
      <FormError message={Object.keys(errors).length > 0 ? FIX_FIELDS : formError(update.error)} />
      <button type="submit" disabled={update.isPending}>
        {update.isPending ? 'Saving…' : 'Save details'}
      </button>
      <SavedNote show={saved && !update.isPending} />
    </form>
  );
}
