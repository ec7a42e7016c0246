'use client';

import type { AiGatewayConfig } from '@portcullis/core/ai-config';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { SavedNote } from '../../../../../../../components/config-fields';
import { ErrorState, FormError, Loading } from '../../../../../../../components/form';
import { fieldErrors, formError, useTRPC } from '../../../../../../../trpc/client';
import {
  AiConfigFrame,
  type CredentialOption,
  LoggingEditor,
  loggingDocument,
  loggingDraft,
  RoutesEditor,
  routeDrafts,
  routesDocument,
} from '../_components/ai-routes';
import { FIX_FIELDS } from '../_components/messages';

function AiRoutesForm({
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
  const [routes, setRoutes] = useState(() => routeDrafts(initial.routes));
  const [logging, setLogging] = useState(() => loggingDraft(initial.logging));
  const [saved, setSaved] = useState(false);
  const save = useMutation(
    trpc.ai.setAiConfig.mutationOptions({
      onSuccess: async () => {
        setSaved(true);
        await onSaved();
      },
    }),
  );
  const errors = fieldErrors(save.error);
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    save.mutate({
      orgSlug,
      apiId,
      config: { routes: routesDocument(routes), logging: loggingDocument(logging) },
    });
  }
  return (
    <form className="card" onSubmit={onSubmit} noValidate aria-labelledby="routes-title">
      <h2 id="routes-title">Model routes</h2>
      <p className="hint">
        Callers name a model; its route picks a target by weight and falls back to the others on 429, 5xx and
        timeouts.
      </p>
      {credentials.length === 0 ? (
        <p className="empty">
          Add a provider credential first on the <Link href={`/o/${orgSlug}/ai`}>AI gateway page</Link>.
        </p>
      ) : null}
      <RoutesEditor
        routes={routes}
        onChange={(r) => {
          setSaved(false);
          setRoutes(r);
        }}
        credentials={credentials}
        errors={errors}
        disabled={!canWrite}
      />
      <LoggingEditor value={logging} onChange={setLogging} errors={errors} disabled={!canWrite} />
      <FormError message={formError(save.error) ?? (save.error ? FIX_FIELDS : null)} />
      {canWrite ? (
        <div className="form-actions">
          <button type="submit" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : 'Save routes'}
          </button>
          <SavedNote show={saved && !save.isPending}>Routes saved</SavedNote>
        </div>
      ) : (
        <p className="muted">Only owners and admins can change model routes.</p>
      )}
    </form>
  );
}

export default function ApiAiPage() {
  const { slug, apiSlug } = useParams<{ slug: string; apiSlug: string }>();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const config = useQuery(trpc.ai.apiConfig.queryOptions({ orgSlug: slug, apiSlug }));
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.ai.apiConfig.queryKey({ orgSlug: slug, apiSlug }) });
  if (config.isPending) return <Loading what="Loading model routes" />;
  if (config.isError) return <ErrorState error={config.error} />;
  const data = config.data;
  return (
    <AiConfigFrame slug={slug} apiSlug={apiSlug} apiName={data.name} section="ai">
      {data.kind !== 'AI' || !data.config || !('routes' in data.config) || 'user' in data.config ? (
        <p className="empty">This API is not an AI gateway API, so it has no model routes.</p>
      ) : (
        <AiRoutesForm
          key={data.id}
          orgSlug={slug}
          apiId={data.id}
          initial={data.config as AiGatewayConfig}
          credentials={data.credentials}
          canWrite={data.canWrite}
          onSaved={refresh}
        />
      )}
    </AiConfigFrame>
  );
}
