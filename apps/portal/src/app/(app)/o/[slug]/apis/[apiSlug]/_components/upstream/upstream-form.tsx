'use client';

import type { UpstreamConfig } from '@portcullis/core/policies';
import { useMutation } from '@tanstack/react-query';
import { FormProvider } from 'react-hook-form';
import { applyServerErrors } from '../../../../../../../../components/forms/errors';
import { TextField } from '../../../../../../../../components/forms/fields';
import { SaveBar } from '../../../../../../../../components/forms/save-bar';
import { useDraftForm, useSavedNote } from '../../../../../../../../components/forms/use-draft-form';
import { useTRPC } from '../../../../../../../../trpc/client';
import { TargetsFieldset } from './targets-fieldset';
import { CircuitBreakerFieldset, HealthCheckFieldset, TimeoutsFieldset } from './tuning-fieldsets';
import { toUpstreamDraft, upstreamErrorField, ZUpstreamForm } from './upstream-draft';
import { VersionsFieldset } from './versions-fieldset';

/** The upstream of a REST API: targets, versions, timeouts, retries, health checks, circuit breaker. */
export function UpstreamForm({
  orgSlug,
  apiId,
  upstreamUrl,
  upstream,
  canWrite,
  onSaved,
}: {
  orgSlug: string;
  apiId: string;
  upstreamUrl: string;
  upstream: UpstreamConfig;
  canWrite: boolean;
  onSaved: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const form = useDraftForm(ZUpstreamForm, toUpstreamDraft(upstreamUrl, upstream), !canWrite);
  const note = useSavedNote(form.formState.isDirty);
  const save = useMutation(
    trpc.policy.updateUpstream.mutationOptions({
      onSuccess: async (result) => {
        form.reset(toUpstreamDraft(result.upstreamUrl, result.upstream));
        note.markSaved();
        await onSaved();
      },
      onError: (error) =>
        applyServerErrors(form.setError, error, (path) => upstreamErrorField(path, form.getValues())),
    }),
  );
  const onSubmit = form.handleSubmit((input) => save.mutate({ orgSlug, apiId, ...input }));

  return (
    <FormProvider {...form}>
      <form className="card" onSubmit={onSubmit} noValidate aria-labelledby="upstream-title">
        <h2 id="upstream-title">Upstream</h2>
        <TextField
          name="upstreamUrl"
          id="upstream-url"
          label="Primary upstream URL"
          type="url"
          hint="Always the first target (weight 100)."
        />
        <TargetsFieldset canWrite={canWrite} />
        <VersionsFieldset canWrite={canWrite} />
        <TimeoutsFieldset />
        <HealthCheckFieldset />
        <CircuitBreakerFieldset />
        <SaveBar
          label="Save upstream"
          savedText="Upstream saved"
          saved={note.saved}
          pending={save.isPending}
          error={save.error}
          readOnlyText="Only owners and admins can change the upstream."
        />
      </form>
    </FormProvider>
  );
}
