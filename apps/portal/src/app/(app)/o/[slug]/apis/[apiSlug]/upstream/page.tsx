'use client';

import { QueryState } from '~/components/ui/query-state';
import { ApiConfigFrame, useApiConfig } from '../_components/config-page';
import { UpstreamForm } from '../_components/upstream/upstream-form';

export default function ApiUpstreamPage() {
  const { slug, apiSlug, config, refresh } = useApiConfig();
  return (
    <QueryState query={config} pendingLabel="Loading upstream">
      {(data) => (
        <ApiConfigFrame slug={slug} apiSlug={apiSlug} apiName={data.name} section="upstream">
          <UpstreamForm
            key={data.id}
            orgSlug={slug}
            apiId={data.id}
            upstreamUrl={data.upstreamUrl}
            upstream={data.upstream}
            canWrite={data.canWrite}
            onSaved={refresh}
          />
        </ApiConfigFrame>
      )}
    </QueryState>
  );
}
