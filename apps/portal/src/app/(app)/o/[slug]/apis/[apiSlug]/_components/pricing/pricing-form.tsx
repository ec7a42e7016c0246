'use client';

import type { PlanPricing } from '@portcullis/core/billing/pricing';
import { useMutation } from '@tanstack/react-query';
import { FormProvider, useWatch } from 'react-hook-form';
import { applyServerErrors } from '../../../../../../../../components/forms/errors';
import { SaveBar } from '../../../../../../../../components/forms/save-bar';
import { useDraftForm, useSavedNote } from '../../../../../../../../components/forms/use-draft-form';
import { useTRPC } from '../../../../../../../../trpc/client';
import { pricingErrorField, toDraft, ZPricingForm } from '../pricing-draft';
import { ModelFields } from './model-fields';
import { TermsFields } from './terms-fields';
import { TiersFieldset } from './tiers-fieldset';
import { ToolPricesFieldset } from './tool-prices-fieldset';

/** Editor of one plan's pricing document. */
export function PricingForm({
  orgSlug,
  planId,
  planName,
  initial,
  onSaved,
}: {
  orgSlug: string;
  planId: string;
  planName: string;
  initial: PlanPricing;
  onSaved: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const form = useDraftForm(ZPricingForm, toDraft(initial));
  const note = useSavedNote(form.formState.isDirty);
  const model = useWatch({ control: form.control, name: 'model' });
  const save = useMutation(
    trpc.billing.setPlanPricing.mutationOptions({
      onSuccess: async (result) => {
        form.reset(toDraft(result.pricing));
        note.markSaved();
        await onSaved();
      },
      onError: (error) =>
        applyServerErrors(form.setError, error, (path) => pricingErrorField(path, form.getValues())),
    }),
  );
  const onSubmit = form.handleSubmit((pricing) => save.mutate({ orgSlug, planId, pricing }));
  const id = (name: string) => `pricing-${planId}-${name}`;

  return (
    <FormProvider {...form}>
      <form className="plan-editor" onSubmit={onSubmit} noValidate aria-label={`Pricing of ${planName}`}>
        <ModelFields id={id} />
        {model === 'graduated' ? <TiersFieldset id={id} /> : null}
        {model === 'free' ? null : <ToolPricesFieldset id={id} />}
        <TermsFields id={id} />
        <SaveBar
          label="Save pricing"
          savedText="Pricing saved"
          saved={note.saved}
          pending={save.isPending}
          error={save.error}
        />
      </form>
    </FormProvider>
  );
}
