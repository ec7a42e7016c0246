'use client';

import { QueryState } from '~/components/ui/query-state';
import { ApiConfigFrame, useApiConfig } from '../_components/config-page';
import { OpenApiForm } from '../_components/openapi-form';

export default function ApiOpenApiPage() {
  const { slug, apiSlug, config, refresh } = useApiConfig();
  return (
    <QueryState query={config} pendingLabel="Loading the OpenAPI document">
      {(data) => (
        <ApiConfigFrame slug={slug} apiSlug={apiSlug} apiName={data.name} section="openapi">
          <OpenApiForm
            key={`${data.id}-spec`}
            orgSlug={slug}
            apiId={data.id}
            apiSlug={apiSlug}
            initial={data.openapiSpec}
            canWrite={data.canWrite}
            onSaved={refresh}
          />
        </ApiConfigFrame>
      )}
    </QueryState>
  );
}
