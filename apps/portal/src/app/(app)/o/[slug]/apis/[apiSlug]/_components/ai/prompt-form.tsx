'use client';

import type { PromptConfig } from '@portcullis/core/ai-config';
import { useMutation } from '@tanstack/react-query';
import { FormProvider } from 'react-hook-form';
import { EmptyState } from '~/components/ui/empty-state';
import { applyServerErrors } from '../../../../../../../../components/forms/errors';
import { SaveBar } from '../../../../../../../../components/forms/save-bar';
import { useDraftForm, useSavedNote } from '../../../../../../../../components/forms/use-draft-form';
import { useTRPC } from '../../../../../../../../trpc/client';
import type { CredentialOption } from '../ai-routes';
import { toPromptDraft, ZPromptForm } from './ai-draft';
import { GuardrailsFieldset } from './guardrails-fieldset';
import { LoggingFieldset } from './logging-fieldset';
import { SchemasFieldset, TemplatesFieldset } from './prompt-fieldsets';
import { RoutesEditor } from './routes-editor';

/** A prompt API: templates, schemas, the routes its model goes through, and call logging. */
export function PromptForm({
  orgSlug,
  apiId,
  initial,
  credentials,
  canWrite,
  onSaved,
}: {
  orgSlug: string;
  apiId: string;
  initial: PromptConfig | null;
  credentials: CredentialOption[];
  canWrite: boolean;
  onSaved: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const form = useDraftForm(ZPromptForm, toPromptDraft(initial, credentials[0]?.id), !canWrite);
  const note = useSavedNote(form.formState.isDirty);
  const save = useMutation(
    trpc.ai.setPromptConfig.mutationOptions({
      onSuccess: async (result) => {
        form.reset(toPromptDraft(result.config));
        note.markSaved();
        await onSaved();
      },
      onError: (error) => applyServerErrors(form.setError, error),
    }),
  );
  const onSubmit = form.handleSubmit((config) => save.mutate({ orgSlug, apiId, config }));

  return (
    <FormProvider {...form}>
      <form className="card" onSubmit={onSubmit} noValidate aria-labelledby="prompt-title">
        <h2 id="prompt-title">Prompt</h2>
        <p className="hint">
          Callers send the variables as JSON to <code>POST /v1/run</code>; <code>{'{{name}}'}</code> in the
          templates is replaced by the variable. Saving regenerates the API's OpenAPI documentation.
        </p>
        <TemplatesFieldset />
        <SchemasFieldset />
        <fieldset className="group">
          <legend>Routes</legend>
          {credentials.length === 0 ? (
            <EmptyState
              title="No provider credential yet."
              description="Routes send calls with one: add a credential first."
              action={{ label: 'Add a credential on the AI gateway page', href: `/o/${orgSlug}/ai` }}
            />
          ) : null}
          <RoutesEditor
            credentials={credentials}
            canWrite={canWrite}
            cacheable={false}
            ownGuardrails={false}
          />
        </fieldset>
        <GuardrailsFieldset credentials={credentials} canWrite={canWrite} />
        <LoggingFieldset />
        <SaveBar
          label="Save prompt"
          savedText="Prompt saved; documentation regenerated"
          saved={note.saved}
          pending={save.isPending}
          error={save.error}
          readOnlyText="Only owners and admins can change the prompt."
        />
      </form>
    </FormProvider>
  );
}
