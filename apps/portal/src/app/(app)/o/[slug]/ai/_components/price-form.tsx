'use client';

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { SavedNote } from '~/components/config-fields';
import { Button } from '~/components/ui/button';
import { Field, FormMessage } from '~/components/ui/field';
import { fieldErrors, formError, useTRPC } from '~/trpc/client';

export interface PriceRow {
  id: string;
  provider: string;
  model: string;
  inputPerMillion: string;
  outputPerMillion: string;
}

/** Add (no `row`) or edit one price row; amounts are exact decimal strings (USD per million tokens). */
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
  const [draft, setDraft] = useState({
    provider: row?.provider ?? 'openai',
    model: row?.model ?? '',
    inputPerMillion: row?.inputPerMillion ?? '',
    outputPerMillion: row?.outputPerMillion ?? '',
  });
  const [saved, setSaved] = useState(false);
  const save = useMutation(
    trpc.ai.setPrice.mutationOptions({
      onSuccess: async () => {
        setSaved(true);
        if (!row) setDraft((d) => ({ ...d, model: '', inputPerMillion: '', outputPerMillion: '' }));
        await onDone();
      },
    }),
  );
  const errors = fieldErrors(save.error);
  const id = row ? `price-${row.id}` : 'price-new';
  const field = (key: keyof typeof draft, label: string, placeholder?: string, decimal?: boolean) => (
    <Field
      id={`${id}-${key}`}
      label={label}
      placeholder={placeholder}
      inputMode={decimal ? 'decimal' : undefined}
      value={draft[key]}
      error={errors[key]}
      onChange={(e) => {
        setSaved(false);
        setDraft((d) => ({ ...d, [key]: e.target.value }));
      }}
    />
  );
  return (
    <form
      noValidate
      aria-label={row ? `Edit price of ${row.model}` : 'Add a price'}
      onSubmit={(event) => {
        event.preventDefault();
        save.mutate({ orgSlug, ...(row ? { priceId: row.id } : {}), ...draft });
      }}
    >
      <div className="grid gap-x-4 sm:grid-cols-2">
        {field('provider', 'Provider')}
        {field('model', 'Model', 'gpt-4o-mini')}
        {field('inputPerMillion', 'Input, USD / 1M tokens', '0.15', true)}
        {field('outputPerMillion', 'Output, USD / 1M tokens', '0.60', true)}
      </div>
      <FormMessage message={formError(save.error)} />
      <div className="form-actions">
        <Button type="submit" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : row ? 'Save price' : 'Add price'}
        </Button>
        <SavedNote show={saved && !save.isPending}>Saved</SavedNote>
      </div>
    </form>
  );
}
