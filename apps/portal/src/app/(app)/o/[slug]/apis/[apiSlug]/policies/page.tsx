'use client';

import { ErrorState, Loading } from '../../../../../../../components/form';
import { ApiConfigFrame, useApiConfig } from '../_components/config-page';
import { PoliciesForm } from '../_components/policies/policies-form';

export default function ApiPoliciesPage() {
  const { slug, apiSlug, config } = useApiConfig();
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
    </ApiConfigFrame>
  );
}
