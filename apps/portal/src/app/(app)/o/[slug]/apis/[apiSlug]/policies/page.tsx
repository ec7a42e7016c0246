'use client';

import { QueryState } from '~/components/ui/query-state';
import { ApiConfigFrame, useApiConfig } from '../_components/config-page';
import { PoliciesForm } from '../_components/policies/policies-form';

export default function ApiPoliciesPage() {
  const { slug, apiSlug, config } = useApiConfig();
  return (
    <QueryState query={config} pendingLabel="Loading policies">
      {(data) => (
        <ApiConfigFrame slug={slug} apiSlug={apiSlug} apiName={data.name} section="policies">
          <PoliciesForm
            key={data.id}
            orgSlug={slug}
            apiId={data.id}
            initial={data.policies}
            canWrite={data.canWrite}
          />
        </ApiConfigFrame>
      )}
    </QueryState>
  );
}
