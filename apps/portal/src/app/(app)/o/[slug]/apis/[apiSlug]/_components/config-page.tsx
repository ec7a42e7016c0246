'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import type { ReactNode } from 'react';
import { OrgCrumb } from '../../../../../../../components/org-crumb';
import { useTRPC } from '../../../../../../../trpc/client';
import { ApiConfigNav } from './config-nav';

/** Loads an API's configuration and frames one of its config sub-pages (crumb, title, tabs). */
export function useApiConfig() {
  const { slug, apiSlug } = useParams<{ slug: string; apiSlug: string }>();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const config = useQuery(trpc.policy.get.queryOptions({ orgSlug: slug, apiSlug }));
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.policy.get.queryKey({ orgSlug: slug, apiSlug }) });
  return { slug, apiSlug, config, refresh };
}

const SECTION_TITLES = {
  policies: 'Policies',
  openapi: 'OpenAPI',
  upstream: 'Upstream',
  mcp: 'MCP',
  versions: 'Versions & changelog',
} as const;

export function ApiConfigFrame({
  slug,
  apiSlug,
  apiName,
  section,
  children,
}: {
  slug: string;
  apiSlug: string;
  apiName: string;
  section: keyof typeof SECTION_TITLES;
  children: ReactNode;
}) {
  return (
    <>
      <OrgCrumb slug={slug} section={{ label: apiName, href: `/o/${slug}/apis/${apiSlug}` }} />
      <div className="page-head">
        <h1>
          {SECTION_TITLES[section]} · {apiName}
        </h1>
      </div>
      <ApiConfigNav orgSlug={slug} apiSlug={apiSlug} current={section} />
      {children}
    </>
  );
}
