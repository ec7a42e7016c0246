'use client';

import { useMutation } from '@tanstack/react-query';
import { FormProvider } from 'react-hook-form';
import { Button } from '~/components/ui/button';
import { FormMessage } from '~/components/ui/field';
import { applyServerErrors } from '../../../../../../../../components/forms/errors';
import { CheckboxField, NumberField, TextField } from '../../../../../../../../components/forms/fields';
import { FIX_FIELDS } from '../../../../../../../../components/forms/save-bar';
import { useDraftForm } from '../../../../../../../../components/forms/use-draft-form';
import { formError, useTRPC } from '../../../../../../../../trpc/client';
import { NEW_PLAN, ZPlanCreateForm } from './plan-draft';

/** Adds a plan to an API (name, primary limit, monthly quota, approval). */
export function PlanCreateForm({
  orgSlug,
  apiId,
  onAdded,
}: {
  orgSlug: string;
  apiId: string;
  onAdded: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const form = useDraftForm(ZPlanCreateForm, NEW_PLAN);
  const create = useMutation(
    trpc.plan.create.mutationOptions({
      onSuccess: async () => {
        const { rateLimitWindowSeconds, requiresApproval } = form.getValues();
        form.reset({ ...NEW_PLAN, rateLimitWindowSeconds, requiresApproval });
        await onAdded();
      },
      onError: (error) => applyServerErrors(form.setError, error),
    }),
  );
  const onSubmit = form.handleSubmit((input) => create.mutate({ orgSlug, apiId, ...input }));
  const invalid = Object.keys(form.formState.errors).length > 0;

  return (
    <FormProvider {...form}>
      <form className="card" onSubmit={onSubmit} noValidate aria-labelledby="plan-create-title">
        <h2 id="plan-create-title">Add a plan</h2>
        <TextField name="name" id="plan-name" label="Plan name" required />
        <div className="row">
          <NumberField
            name="rateLimit"
            id="plan-rate-limit"
            label="Rate limit (requests)"
            min={1}
            placeholder="Unlimited"
          />
          <NumberField name="rateLimitWindowSeconds" id="plan-window" label="Window (seconds)" min={1} />
          <NumberField
            name="monthlyQuota"
            id="plan-quota"
            label="Monthly quota"
            min={1}
            placeholder="Unlimited"
          />
        </div>
        <CheckboxField name="requiresApproval" id="plan-requires-approval" label="Requires approval" />
        <FormMessage message={formError(create.error) ?? (invalid ? FIX_FIELDS : null)} />
        <Button type="submit" className="mb-4" disabled={create.isPending}>
          {create.isPending ? 'Adding…' : 'Add plan'}
        </Button>
      </form>
    </FormProvider>
  );
}
