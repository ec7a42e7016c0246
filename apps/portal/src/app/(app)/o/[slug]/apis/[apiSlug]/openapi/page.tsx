'use client';

import { ErrorState, Loading } from '../../../../../../../components/form';
import { ApiConfigFrame, useApiConfig } from '../_components/config-page';
import { OpenApiForm } from '../_components/openapi-form';

export default function ApiOpenApiPage() {
  const { slug, apiSlug, config, refresh } = useApiConfig();
  if (config.isPending) return <Loading what="Loading the OpenAPI document" />;
  if (config.isError) return <ErrorState error={config.error} />;
  const data = config.data;
  return (
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
  );
}
