'use client';

import type { PromptConfig } from '@portcullis/core/ai-config';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { SavedNote, TextAreaField } from '../../../../../../../components/config-fields';
import { ErrorState, Field, FormError, Loading } from '../../../../../../../components/form';
import { fieldErrors, formError, useTRPC } from '../../../../../../../trpc/client';
import {
  AiConfigFrame,
  type CredentialOption,
  emptyRoute,
  LoggingEditor,
  loggingDocument,
  loggingDraft,
  RoutesEditor,
  routeDrafts,
  routesDocument,
} from '../_components/ai-routes';
import { FIX_FIELDS } from '../_components/messages';

const STARTER_INPUT = { type: 'object', required: ['text'], properties: { text: { type: 'string' } } };
const pretty = (value: unknown) => JSON.stringify(value, null, 2);

function draftOf(prompt: PromptConfig | null, credentials: CredentialOption[]) {
  return {
    model: prompt?.model ?? 'default',
    routes: prompt ? routeDrafts(prompt.routes) : [{ ...emptyRoute(credentials[0]?.id), name: 'default' }],
    system: prompt?.system ?? '',
    user: prompt?.user ?? '',
    temperature: prompt?.temperature === undefined ? '' : String(prompt.temperature),
    maxTokens: prompt?.maxTokens === undefined ? '' : String(prompt.maxTokens),
    inputSchema: pretty(prompt?.inputSchema ?? STARTER_INPUT),
    outputSchema: prompt?.outputSchema ? pretty(prompt.outputSchema) : '',
    logging: loggingDraft(prompt?.logging ?? { logBodies: false, redact: [] }),
  };
}
type Draft = ReturnType<typeof draftOf>;

/** JSON text → object, or a message for the field (the server validates the rest). */
function parseJsonField(text: string, optional: boolean): { value?: unknown; error?: string } {
  if (optional && text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { error: 'A JSON Schema is a JSON object, e.g. {"type": "object", …}' };
    }
    return { value };
  } catch (error) {
    return { error: `Not valid JSON: ${error instanceof Error ? error.message : 'parse error'}` };
  }
}

const optionalNumber = (text: string) => (text.trim() === '' ? undefined : Number(text));

function PromptForm({
  orgSlug,
  apiId,
  initial,
  credentials,
  canWrite,
  onSaved,
}: {
  orgSlug: string;
  apiId: string;
  initial: Draft;
  credentials: CredentialOption[];
  canWrite: boolean;
  onSaved: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const [draft, setDraft] = useState(initial);
  const [jsonErrors, setJsonErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const save = useMutation(
    trpc.ai.setPromptConfig.mutationOptions({
      onSuccess: async () => {
        setSaved(true);
        await onSaved();
      },
    }),
  );
  const errors = { ...fieldErrors(save.error), ...jsonErrors };
  const off = !canWrite;
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setSaved(false);
    setDraft((d) => ({ ...d, [key]: value }));
  };

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const input = parseJsonField(draft.inputSchema, false);
    const output = parseJsonField(draft.outputSchema, true);
    const problems: Record<string, string> = {};
    if (input.error) problems.inputSchema = input.error;
    if (output.error) problems.outputSchema = output.error;
    setJsonErrors(problems);
    if (Object.keys(problems).length > 0) return;
    const temperature = optionalNumber(draft.temperature);
    const maxTokens = optionalNumber(draft.maxTokens);
    save.reset();
    save.mutate({
      orgSlug,
      apiId,
      config: {
        model: draft.model.trim(),
        routes: routesDocument(draft.routes),
        system: draft.system,
        user: draft.user,
        ...(temperature === undefined ? {} : { temperature }),
        ...(maxTokens === undefined ? {} : { maxTokens }),
        inputSchema: input.value,
        ...(output.value === undefined ? {} : { outputSchema: output.value }),
        logging: loggingDocument(draft.logging),
      },
    });
  }

  return (
    <form className="card" onSubmit={onSubmit} noValidate aria-labelledby="prompt-title">
      <h2 id="prompt-title">Prompt</h2>
      <p className="hint">
        Callers send the variables as JSON to <code>POST /v1/run</code>; <code>{'{{name}}'}</code> in the
        templates is replaced by the variable. Saving regenerates the API's OpenAPI documentation.
      </p>
      <fieldset className="group">
        <legend>Templates</legend>
        <TextAreaField
          id="prompt-system"
          label="System template"
          rows={3}
          value={draft.system}
          disabled={off}
          error={errors.system}
          onChange={(e) => set('system', e.target.value)}
        />
        <TextAreaField
          id="prompt-user"
          label="User template"
          rows={4}
          placeholder="Summarise this text: {{text}}"
          value={draft.user}
          disabled={off}
          error={errors.user}
          onChange={(e) => set('user', e.target.value)}
        />
        <div className="row">
          <Field
            id="prompt-model"
            label="Model (one of the routes below)"
            list="prompt-route-names"
            value={draft.model}
            disabled={off}
            error={errors.model}
            onChange={(e) => set('model', e.target.value)}
          />
          <datalist id="prompt-route-names">
            {draft.routes.map((r, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: route names may repeat while being typed
              <option key={i} value={r.name} />
            ))}
          </datalist>
          <Field
            id="prompt-temperature"
            label="Temperature (optional)"
            type="number"
            step="0.1"
            inputMode="decimal"
            value={draft.temperature}
            disabled={off}
            error={errors.temperature}
            onChange={(e) => set('temperature', e.target.value)}
          />
          <Field
            id="prompt-max-tokens"
            label="Max tokens (optional)"
            type="number"
            inputMode="numeric"
            value={draft.maxTokens}
            disabled={off}
            error={errors.maxTokens}
            onChange={(e) => set('maxTokens', e.target.value)}
          />
        </div>
      </fieldset>
      <fieldset className="group">
        <legend>Schemas</legend>
        <TextAreaField
          id="prompt-input-schema"
          label="Input JSON Schema (the request body)"
          rows={8}
          className="code-input"
          value={draft.inputSchema}
          disabled={off}
          error={errors.inputSchema}
          onChange={(e) => set('inputSchema', e.target.value)}
        />
        <TextAreaField
          id="prompt-output-schema"
          label="Output JSON Schema (optional: the answer must match it)"
          rows={6}
          className="code-input"
          value={draft.outputSchema}
          disabled={off}
          error={errors.outputSchema}
          onChange={(e) => set('outputSchema', e.target.value)}
        />
      </fieldset>
      <fieldset className="group">
        <legend>Routes</legend>
        {credentials.length === 0 ? (
          <p className="empty">
            Add a provider credential first on the <Link href={`/o/${orgSlug}/ai`}>AI gateway page</Link>.
          </p>
        ) : null}
        <RoutesEditor
          routes={draft.routes}
          onChange={(routes) => set('routes', routes)}
          credentials={credentials}
          errors={errors}
          disabled={off}
          cacheable={false}
        />
      </fieldset>
      <LoggingEditor
        value={draft.logging}
        onChange={(l) => set('logging', l)}
        errors={errors}
        disabled={off}
      />
      <FormError
        message={
          formError(save.error) ?? (save.error || Object.keys(jsonErrors).length > 0 ? FIX_FIELDS : null)
        }
      />
      {canWrite ? (
        <div className="form-actions">
          <button type="submit" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : 'Save prompt'}
          </button>
          <SavedNote show={saved && !save.isPending}>Prompt saved; documentation regenerated</SavedNote>
        </div>
      ) : (
        <p className="muted">Only owners and admins can change the prompt.</p>
      )}
    </form>
  );
}

export default function ApiPromptPage() {
  const { slug, apiSlug } = useParams<{ slug: string; apiSlug: string }>();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const config = useQuery(trpc.ai.apiConfig.queryOptions({ orgSlug: slug, apiSlug }));
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.ai.apiConfig.queryKey({ orgSlug: slug, apiSlug }) });
  if (config.isPending) return <Loading what="Loading the prompt" />;
  if (config.isError) return <ErrorState error={config.error} />;
  const data = config.data;
  return (
    <AiConfigFrame slug={slug} apiSlug={apiSlug} apiName={data.name} section="prompt">
      {data.kind !== 'PROMPT' ? (
        <p className="empty">This API is not a prompt API.</p>
      ) : (
        <PromptForm
          key={data.id}
          orgSlug={slug}
          apiId={data.id}
          initial={draftOf(data.config as PromptConfig | null, data.credentials)}
          credentials={data.credentials}
          canWrite={data.canWrite}
          onSaved={refresh}
        />
      )}
    </AiConfigFrame>
  );
}
