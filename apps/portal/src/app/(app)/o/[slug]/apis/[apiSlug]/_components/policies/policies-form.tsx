'use client';

import type { ApiPolicies } from '@portcullis/core/policies';
import { useMutation } from '@tanstack/react-query';
import { FormProvider } from 'react-hook-form';
import { applyServerErrors } from '../../../../../../../../components/forms/errors';
import { SaveBar } from '../../../../../../../../components/forms/save-bar';
import { useDraftForm, useSavedNote } from '../../../../../../../../components/forms/use-draft-form';
import { useTRPC } from '../../../../../../../../trpc/client';
import { IpRulesFieldset, RequestsFieldset } from './access-fieldsets';
import { CacheFieldset, RedisFailureField } from './cache-fieldset';
import { CorsFieldset } from './cors-fieldset';
import { HeaderFieldset } from './header-fieldset';
import { toPoliciesDraft, ZPoliciesForm } from './policies-draft';

/** An API's request policies: IP rules, request limits, CORS, header transforms, cache, Redis outages. */
export function PoliciesForm({
  orgSlug,
  apiId,
  initial,
  canWrite,
}: {
  orgSlug: string;
  apiId: string;
  initial: ApiPolicies;
  canWrite: boolean;
}) {
  const trpc = useTRPC();
  const form = useDraftForm(ZPoliciesForm, toPoliciesDraft(initial), !canWrite);
  const note = useSavedNote(form.formState.isDirty);
  const save = useMutation(
    trpc.policy.updatePolicies.mutationOptions({
      onSuccess: (result) => {
        form.reset(toPoliciesDraft(result.policies));
        note.markSaved();
      },
      onError: (error) => applyServerErrors(form.setError, error),
    }),
  );
  const onSubmit = form.handleSubmit((input) => save.mutate({ orgSlug, apiId, ...input }));

  return (
    <FormProvider {...form}>
      <form className="card" onSubmit={onSubmit} noValidate aria-labelledby="policies-title">
        <h2 id="policies-title">Request policies</h2>
        <IpRulesFieldset />
        <RequestsFieldset />
        <CorsFieldset />
        <HeaderFieldset prefix="requestHeaders" title="Request headers (to the upstream)" />
        <HeaderFieldset prefix="responseHeaders" title="Response headers (to the client)" />
        <CacheFieldset />
        <RedisFailureField />
        <SaveBar
          label="Save policies"
          savedText="Policies saved"
          saved={note.saved}
          pending={save.isPending}
          error={save.error}
          readOnlyText="Only owners and admins can change policies."
        />
      </form>
    </FormProvider>
  );
}
