'use client';

import { useMutation } from '@tanstack/react-query';
import { FormProvider } from 'react-hook-form';
import { applyServerErrors } from '../../../../../../../../components/forms/errors';
import { CheckboxField, NumberField } from '../../../../../../../../components/forms/fields';
import { SaveBar } from '../../../../../../../../components/forms/save-bar';
import { useDraftForm, useSavedNote } from '../../../../../../../../components/forms/use-draft-form';
import { useTRPC } from '../../../../../../../../trpc/client';
import { type PlanLimitsSource, toPlanLimitsDraft, ZPlanLimitsForm } from './plan-draft';
import { WindowsFieldset } from './windows-fieldset';

/** A plan's primary limit, monthly quota, approval and extra windows. */
export function LimitsForm({
  orgSlug,
  plan,
  onDone,
}: {
  orgSlug: string;
  plan: PlanLimitsSource & { id: string; name: string };
  onDone: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const form = useDraftForm(ZPlanLimitsForm, toPlanLimitsDraft(plan));
  const note = useSavedNote(form.formState.isDirty);
  const save = useMutation(
    trpc.policy.updatePlan.mutationOptions({
      onSuccess: async (result) => {
        form.reset(toPlanLimitsDraft(result));
        note.markSaved();
        await onDone();
      },
      onError: (error) => applyServerErrors(form.setError, error),
    }),
  );
  const onSubmit = form.handleSubmit((input) => save.mutate({ orgSlug, planId: plan.id, ...input }));
  const id = (name: string) => `plan-${plan.id}-${name}`;

  return (
    <FormProvider {...form}>
      <form className="plan-editor" onSubmit={onSubmit} noValidate aria-label={`Limits of ${plan.name}`}>
        <div className="row">
          <NumberField
            name="rateLimit"
            id={id('rate')}
            label="Primary limit (requests)"
            min={1}
            placeholder="Unlimited"
          />
          <NumberField
            name="rateLimitWindowSeconds"
            id={id('window')}
            label="Primary window (seconds)"
            min={1}
          />
          <NumberField
            name="monthlyQuota"
            id={id('quota')}
            label="Quota per month"
            min={1}
            placeholder="Unlimited"
          />
        </div>
        <CheckboxField name="requiresApproval" id={id('approval')} label="Subscriptions need approval" />
        <WindowsFieldset idPrefix={`plan-${plan.id}`} />
        <SaveBar
          label="Save limits"
          savedText="Limits saved"
          saved={note.saved}
          pending={save.isPending}
          error={save.error}
        />
      </form>
    </FormProvider>
  );
}
