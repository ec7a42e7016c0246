'use client';

import { ErrorState, Loading } from '../../../../../../../components/form';
import { ApiConfigFrame, useApiConfig } from '../_components/config-page';
import { UpstreamForm } from '../_components/upstream/upstream-form';

export default function ApiUpstreamPage() {
  const { slug, apiSlug, config, refresh } = useApiConfig();
  if (config.isPending) return <Loading what="Loading upstream" />;
  if (config.isError) return <ErrorState error={config.error} />;
  const data = config.data;
  return (
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
  );
}
