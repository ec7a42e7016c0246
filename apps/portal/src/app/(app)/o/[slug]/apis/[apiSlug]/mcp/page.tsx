'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '../../../../../../../trpc/client';
import { ApiConfigFrame } from '../_components/config-page';
import { McpForm } from '../_components/mcp/mcp-form';
import { McpUrl } from '../_components/mcp/mcp-url';

export default function ApiMcpPage() {
  const { slug, apiSlug } = useParams<{ slug: string; apiSlug: string }>();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const input = { orgSlug: slug, apiSlug };
  const mcp = useQuery(trpc.policy.mcp.queryOptions(input));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.policy.mcp.queryKey(input) });
  return (
    <QueryState query={mcp} pendingLabel="Loading MCP settings">
      {(data) => (
        <ApiConfigFrame slug={slug} apiSlug={apiSlug} apiName={data.name} section="mcp">
          <McpUrl url={data.mcpUrl} enabled={data.kind === 'MCP' || data.config.enabled} />
          <McpForm key={data.id} orgSlug={slug} api={data} onSaved={refresh} />
        </ApiConfigFrame>
      )}
    </QueryState>
  );
}
