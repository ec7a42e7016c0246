'use client';

import { useQueryClient } from '@tanstack/react-query';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';
import { ApiConfigFrame, useApiConfig } from '../_components/config-page';
import { ChangelogCard } from './_components/changelog-card';
import { VersionsCard } from './_components/versions-card';

export default function ApiVersionsPage() {
  const { slug, apiSlug, config } = useApiConfig();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const apiId = config.data?.id ?? '';
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.api.versions.queryKey({ orgSlug: slug, apiId }) });
    await queryClient.invalidateQueries({ queryKey: trpc.api.changelog.queryKey({ orgSlug: slug, apiId }) });
  };

  return (
    <QueryState query={config} pendingLabel="Loading API">
      {({ canWrite, status, name }) => {
        const live = status === 'PUBLISHED' || status === 'DEPRECATED';
        return (
          <ApiConfigFrame slug={slug} apiSlug={apiSlug} apiName={name} section="versions">
            <VersionsCard
              slug={slug}
              apiSlug={apiSlug}
              apiId={apiId}
              canWrite={canWrite}
              live={live}
              onChanged={refresh}
            />
            <ChangelogCard slug={slug} apiId={apiId} canWrite={canWrite} onChanged={refresh} />
          </ApiConfigFrame>
        );
      }}
    </QueryState>
  );
}
