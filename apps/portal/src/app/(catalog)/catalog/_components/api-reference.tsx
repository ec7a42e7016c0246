'use client';

import { useMemo } from 'react';
import { type ScalarConfiguration as Configuration, ScalarReference } from '~/components/scalar-reference';
import { EmptyState } from '~/components/ui/empty-state';
import { KEY_SCHEME, referenceDocument } from '../_lib/reference-document';

/**
 * The API's OpenAPI document rendered by Scalar's API reference. Everything it needs is bundled:
 * no fonts, telemetry or assistant from the internet. Its "try it" requests go to the portal's /try
 * route (`proxyUrl`), which forwards them to the gateway server-side, so the page's CSP keeps
 * connect-src 'self'. `apiKey` fills the bearer scheme every operation asks for; `tryIt` false hides
 * the request buttons (anonymous visitors, comparisons).
 */
export function ApiReference({
  spec,
  gatewayBaseUrl,
  orgSlug,
  apiSlug,
  apiKey = '',
  tryIt = true,
  label,
}: {
  spec: unknown;
  gatewayBaseUrl: string;
  orgSlug: string;
  apiSlug: string;
  apiKey?: string;
  tryIt?: boolean;
  label: string;
}) {
  const content = useMemo(() => referenceDocument(spec, gatewayBaseUrl), [spec, gatewayBaseUrl]);
  const configuration = useMemo<Configuration>(
    () => ({
      content: content ?? {},
      proxyUrl: `/catalog/${orgSlug}/${apiSlug}/try`,
      authentication: {
        preferredSecurityScheme: KEY_SCHEME,
        securitySchemes: { [KEY_SCHEME]: { token: apiKey } },
      },
      hideTestRequestButton: !tryIt,
    }),
    [content, orgSlug, apiSlug, apiKey, tryIt],
  );
  if (!content) {
    return (
      <EmptyState
        title="This API has no readable OpenAPI document."
        description="Its reference cannot be shown; the base URL and plans still apply."
      />
    );
  }
  return (
    <section aria-label={label} data-testid="api-reference">
      <ScalarReference configuration={configuration} />
    </section>
  );
}
