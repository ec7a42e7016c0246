'use client';

import type { AiLimit } from '@portcullis/core/ai-config';
import { useMutation } from '@tanstack/react-query';
import { FormProvider, useFieldArray, useWatch } from 'react-hook-form';
import { Button } from '~/components/ui/button';
import { applyServerErrors } from '../../../../../../../../components/forms/errors';
import { ListError, SelectField, TextField } from '../../../../../../../../components/forms/fields';
import { SaveBar } from '../../../../../../../../components/forms/save-bar';
import { useDraftForm, useSavedNote } from '../../../../../../../../components/forms/use-draft-form';
import { useTRPC } from '../../../../../../../../trpc/client';
import { aiLimitsErrorField, NEW_AI_LIMIT, ZAiLimitsForm } from './ai-draft';

const METRICS = [
  { value: 'tokens', label: 'Tokens' },
  { value: 'usd', label: 'USD' },
];
export const WINDOWS = [
  { value: 'minute', label: 'per minute' },
  { value: 'day', label: 'per day' },
  { value: 'month', label: 'per month' },
];
export const SCOPES = [
  { value: 'key', label: 'each API key' },
  { value: 'app', label: 'each app' },
  { value: 'org', label: 'each consumer org' },
];

/** A plan's token limits and USD budgets, one row each. */
export function AiLimitsForm({
  orgSlug,
  planId,
  initial,
  onSaved,
}: {
  orgSlug: string;
  planId: string;
  initial: AiLimit[];
  onSaved: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const form = useDraftForm(ZAiLimitsForm, { limits: initial });
  const rows = useFieldArray({ control: form.control, name: 'limits' });
  const metrics = useWatch({ control: form.control, name: 'limits' });
  const note = useSavedNote(form.formState.isDirty);
  const save = useMutation(
    trpc.ai.setPlanLimits.mutationOptions({
      onSuccess: async (result) => {
        form.reset({ limits: result.limits });
        note.markSaved();
        await onSaved();
      },
      onError: (error) => applyServerErrors(form.setError, error, aiLimitsErrorField),
    }),
  );
  const onSubmit = form.handleSubmit(({ limits }) => save.mutate({ orgSlug, planId, limits }));
  const id = (i: number, field: string) => `ai-limit-${planId}-${i}-${field}`;
  return (
    <FormProvider {...form}>
      <form onSubmit={onSubmit} noValidate aria-label="AI limits">
        {rows.fields.length === 0 ? <p className="muted">No token limits or budgets.</p> : null}
        {rows.fields.map((field, i) => (
          <div className="limit-row" key={field.id}>
            <SelectField name={`limits.${i}.metric`} id={id(i, 'metric')} label="Metric" options={METRICS} />
            <TextField
              name={`limits.${i}.limit`}
              id={id(i, 'limit')}
              label={metrics?.[i]?.metric === 'usd' ? 'Budget (USD)' : 'Tokens'}
              inputMode="decimal"
            />
            <SelectField name={`limits.${i}.window`} id={id(i, 'window')} label="Window" options={WINDOWS} />
            <SelectField name={`limits.${i}.scope`} id={id(i, 'scope')} label="For" options={SCOPES} />
            <Button
              variant="secondary"
              className="mb-4"
              aria-label={`Remove AI limit ${i + 1}`}
              onClick={() => rows.remove(i)}
            >
              Remove
            </Button>
          </div>
        ))}
        <ListError path="limits" />
        <SaveBar
          label="Save AI limits"
          savedText="AI limits saved"
          saved={note.saved}
          pending={save.isPending}
          error={save.error}
        >
          <Button variant="secondary" onClick={() => rows.append(NEW_AI_LIMIT)}>
            Add limit
          </Button>
        </SaveBar>
      </form>
    </FormProvider>
  );
}
