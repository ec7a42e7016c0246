'use client';

import type { AiGatewayConfig } from '@portcullis/core/ai-config';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '../../../../../../../trpc/client';
import { AiRoutesForm } from '../_components/ai/ai-routes-form';
import { AiConfigFrame } from '../_components/ai-routes';

export default function ApiAiPage() {
  const { slug, apiSlug } = useParams<{ slug: string; apiSlug: string }>();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const config = useQuery(trpc.ai.apiConfig.queryOptions({ orgSlug: slug, apiSlug }));
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.ai.apiConfig.queryKey({ orgSlug: slug, apiSlug }) });
  return (
    <QueryState query={config} pendingLabel="Loading model routes">
      {(data) => (
        <AiConfigFrame slug={slug} apiSlug={apiSlug} apiName={data.name} section="ai">
          {data.kind !== 'AI' || !data.config || !('routes' in data.config) || 'user' in data.config ? (
            <EmptyState
              title="This API is not an AI gateway API, so it has no model routes."
              action={{ label: 'Back to the API', href: `/o/${slug}/apis/${apiSlug}` }}
            />
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
      )}
    </QueryState>
  );
}
