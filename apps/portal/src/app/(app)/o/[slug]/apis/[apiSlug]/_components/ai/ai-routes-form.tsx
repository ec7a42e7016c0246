'use client';

import type { AiGatewayConfig } from '@portcullis/core/ai-config';
import { useMutation } from '@tanstack/react-query';
import { FormProvider } from 'react-hook-form';
import { EmptyState } from '~/components/ui/empty-state';
import { applyServerErrors } from '../../../../../../../../components/forms/errors';
import { SaveBar } from '../../../../../../../../components/forms/save-bar';
import { useDraftForm, useSavedNote } from '../../../../../../../../components/forms/use-draft-form';
import { useTRPC } from '../../../../../../../../trpc/client';
import type { CredentialOption } from '../ai-routes';
import { toAiRoutesDraft, ZAiRoutesForm } from './ai-draft';
import { GuardrailsFieldset } from './guardrails-fieldset';
import { LoggingFieldset } from './logging-fieldset';
import { RoutesEditor } from './routes-editor';

/** An AI API's model routes and call logging. */
export function AiRoutesForm({
  orgSlug,
  apiId,
  initial,
  credentials,
  canWrite,
  onSaved,
}: {
  orgSlug: string;
  apiId: string;
  initial: AiGatewayConfig;
  credentials: CredentialOption[];
  canWrite: boolean;
  onSaved: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const form = useDraftForm(ZAiRoutesForm, toAiRoutesDraft(initial), !canWrite);
  const note = useSavedNote(form.formState.isDirty);
  const save = useMutation(
    trpc.ai.setAiConfig.mutationOptions({
      onSuccess: async (result) => {
        form.reset(toAiRoutesDraft(result.config));
        note.markSaved();
        await onSaved();
      },
      onError: (error) => applyServerErrors(form.setError, error),
    }),
  );
  const onSubmit = form.handleSubmit((config) => save.mutate({ orgSlug, apiId, config }));

  return (
    <FormProvider {...form}>
      <form className="card" onSubmit={onSubmit} noValidate aria-labelledby="routes-title">
        <h2 id="routes-title">Model routes</h2>
        <p className="hint">
          Callers name a model; its route picks a target by its strategy and falls back to the others on 429,
          5xx and timeouts. A target that keeps failing cools down and is skipped for a while.
        </p>
        {credentials.length === 0 ? (
          <EmptyState
            title="No provider credential yet."
            description="Routes send calls with one: add a credential first."
            action={{ label: 'Add a credential on the AI gateway page', href: `/o/${orgSlug}/ai` }}
          />
        ) : null}
        <RoutesEditor credentials={credentials} canWrite={canWrite} />
        <GuardrailsFieldset credentials={credentials} canWrite={canWrite} routesMayReplace />
        <LoggingFieldset />
        <SaveBar
          label="Save routes"
          savedText="Routes saved"
          saved={note.saved}
          pending={save.isPending}
          error={save.error}
          readOnlyText="Only owners and admins can change model routes."
        />
      </form>
    </FormProvider>
  );
}
