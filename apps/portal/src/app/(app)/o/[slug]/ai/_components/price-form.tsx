'use client';

import { MODALITIES } from '@portcullis/core/ai-config';
import { useMutation } from '@tanstack/react-query';
import { FormProvider } from 'react-hook-form';
import { applyServerErrors } from '~/components/forms/errors';
import { CheckboxField, NumberField, TextField } from '~/components/forms/fields';
import { SaveBar } from '~/components/forms/save-bar';
import { useDraftForm, useSavedNote } from '~/components/forms/use-draft-form';
import { useTRPC } from '~/trpc/client';
import { type PriceRow, toPriceDraft, ZPriceForm } from './price-draft';

export type { PriceRow } from './price-draft';

function ModalityChecks({ side, id }: { side: 'inputModalities' | 'outputModalities'; id: string }) {
  return (
    <fieldset className="flex flex-wrap gap-x-4">
      <legend>{side === 'inputModalities' ? 'Takes' : 'Gives'}</legend>
      {MODALITIES.map((m) => (
        <CheckboxField key={m} name={`${side}.${m}`} id={`${id}-${side}-${m}`} label={m} />
      ))}
    </fieldset>
  );
}

/**
 * Add (no `row`) or edit one price row: exact decimal USD per million tokens, optional per-unit prices
 * (per image, per second of audio, per call) and what GET /v1/models tells about the model.
 */
export function PriceForm({
  orgSlug,
  row,
  onDone,
}: {
  orgSlug: string;
  row?: PriceRow;
  onDone: () => Promise<unknown>;
}) {
  const trpc = useTRPC();
  const form = useDraftForm(ZPriceForm, toPriceDraft(row));
  const note = useSavedNote(form.formState.isDirty);
  const save = useMutation(
    trpc.ai.setPrice.mutationOptions({
      onSuccess: async (saved) => {
        form.reset(row ? toPriceDraft(saved) : { ...toPriceDraft(), provider: saved.provider });
        note.markSaved();
        await onDone();
      },
      onError: (error) => applyServerErrors(form.setError, error),
    }),
  );
  const onSubmit = form.handleSubmit((input) =>
    save.mutate({ orgSlug, ...(row ? { priceId: row.id } : {}), ...input }),
  );
  const id = row ? `price-${row.id}` : 'price-new';
  const decimal = (name: string, label: string, placeholder?: string) => (
    <TextField name={name} id={`${id}-${name}`} label={label} placeholder={placeholder} inputMode="decimal" />
  );
  return (
    <FormProvider {...form}>
      <form noValidate aria-label={row ? `Edit price of ${row.model}` : 'Add a price'} onSubmit={onSubmit}>
        <div className="grid gap-x-4 sm:grid-cols-2">
          <TextField name="provider" id={`${id}-provider`} label="Provider" />
          <TextField name="model" id={`${id}-model`} label="Model" placeholder="gpt-4o-mini" />
          {decimal('inputPerMillion', 'Input, USD / 1M tokens', '0.15')}
          {decimal('outputPerMillion', 'Output, USD / 1M tokens', '0.60')}
          {decimal('perImage', 'USD per image (optional)', '0.04')}
          {decimal('perAudioSecond', 'USD per second of audio (optional)', '0.0001')}
          {decimal('perCall', 'USD per call (optional)')}
          <NumberField
            name="contextWindow"
            id={`${id}-contextWindow`}
            label="Context window, tokens"
            min={1}
          />
          <NumberField
            name="maxOutputTokens"
            id={`${id}-maxOutputTokens`}
            label="Max output tokens"
            min={1}
          />
        </div>
        <div className="grid gap-x-4 sm:grid-cols-2">
          <ModalityChecks side="inputModalities" id={id} />
          <ModalityChecks side="outputModalities" id={id} />
        </div>
        <SaveBar
          label={row ? 'Save price' : 'Add price'}
          savedText="Saved"
          saved={note.saved}
          pending={save.isPending}
          error={save.error}
        />
      </form>
    </FormProvider>
  );
}
