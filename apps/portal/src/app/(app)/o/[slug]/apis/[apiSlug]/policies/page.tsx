'use client';

import { ErrorState, Loading } from '../../../../../../../components/form';
import { ApiConfigFrame, useApiConfig } from '../_components/config-page';
import { OpenApiForm } from '../_components/openapi-form';
import { PoliciesForm } from '../_components/policies/policies-form';

export default function ApiPoliciesPage() {
  const { slug, apiSlug, config, refresh } = useApiConfig();
  if (config.isPending) return <Loading what="Loading policies" />;
  if (config.isError) return <ErrorState error={config.error} />;
  const data = config.data;
  return (
    <ApiConfigFrame slug={slug} apiSlug={apiSlug} apiName={data.name} section="policies">
      <PoliciesForm
        key={data.id}
        orgSlug={slug}
        apiId={data.id}
        initial={data.policies}
        canWrite={data.canWrite}
      />
      <OpenApiForm
        key={`${data.id}-spec`}
        orgSlug={slug}
        apiId={data.id}
        initial={data.openapiSpec}
        canWrite={data.canWrite}
        onSaved={refresh}
      />
    </ApiConfigFrame>
  );
}
