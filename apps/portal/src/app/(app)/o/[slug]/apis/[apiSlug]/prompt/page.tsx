'use client';

import type { PromptConfig } from '@portcullis/core/ai-config';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '../../../../../../../trpc/client';
import { PromptForm } from '../_components/ai/prompt-form';
import { PromptVersionsSection } from '../_components/ai/prompt-versions';
import { AiConfigFrame } from '../_components/ai-routes';

export default function ApiPromptPage() {
  const { slug, apiSlug } = useParams<{ slug: string; apiSlug: string }>();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const config = useQuery(trpc.ai.apiConfig.queryOptions({ orgSlug: slug, apiSlug }));
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.ai.apiConfig.queryKey({ orgSlug: slug, apiSlug }) });
  return (
    <QueryState query={config} pendingLabel="Loading the prompt">
      {(data) => (
        <AiConfigFrame slug={slug} apiSlug={apiSlug} apiName={data.name} section="prompt">
          {data.kind !== 'PROMPT' ? (
            <EmptyState
              title="This API is not a prompt API."
              action={{ label: 'Back to the API', href: `/o/${slug}/apis/${apiSlug}` }}
            />
          ) : (
            <>
              <PromptForm
                key={data.id}
                orgSlug={slug}
                apiId={data.id}
                initial={data.config as PromptConfig | null}
                credentials={data.credentials}
                canWrite={data.canWrite}
                onSaved={refresh}
              />
              <PromptVersionsSection orgSlug={slug} apiId={data.id} working={data.config} />
            </>
          )}
        </AiConfigFrame>
      )}
    </QueryState>
  );
}
