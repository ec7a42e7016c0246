'use client';

import { useQuery } from '@tanstack/react-query';
import {
  claudeDesktopJson,
  mcpServerName,
  mcpServersJson,
  sdkSnippet,
} from '~/components/key-snippets/mcp-snippets';
import { CodeBlock } from '~/components/ui/code-block';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';

type ReachedApi = {
  apiName: string;
  apiSlug: string;
  providerSlug: string;
  kind: 'REST' | 'AI' | 'PROMPT' | 'MCP';
  tools: string[] | null;
  url: string;
};

/**
 * At the app's URL each tool is named `{apiSlug}.{tool}`, or `{providerSlug}.{apiSlug}.{tool}` when
 * another API there has the same slug; an MCP API keeps its own URL and names.
 */
function toolsText(api: ReachedApi, sharedSlugs: Set<string>): string {
  if (api.kind !== 'MCP') {
    const prefix = sharedSlugs.has(api.apiSlug) ? `${api.providerSlug}.${api.apiSlug}` : api.apiSlug;
    return (api.tools ?? []).map((tool) => `${prefix}.${tool}`).join(', ');
  }
  if (api.tools === null) return `every tool, at ${api.url}`;
  return `${api.tools.join(', ') || 'no tools allowed yet'}, at ${api.url}`;
}

function ReachedApis({ label, apis }: { label: string; apis: ReachedApi[] }) {
  if (apis.length === 0) return null;
  const rest = apis.filter((api) => api.kind !== 'MCP').map((api) => api.apiSlug);
  const sharedSlugs = new Set(rest.filter((slug, i) => rest.indexOf(slug) !== i));
  return (
    <>
      <h3>{label}</h3>
      <ul aria-label={label}>
        {apis.map((api) => (
          <li key={`${api.providerSlug}/${api.apiSlug}`}>
            <strong>{api.apiName}</strong>{' '}
            <span className="muted">
              ({api.providerSlug}/{api.apiSlug})
            </span>
            : {toolsText(api, sharedSlugs)}
          </li>
        ))}
      </ul>
    </>
  );
}

/** The app's MCP endpoint, what it reaches, and ready-to-paste client configs (with a key placeholder). */
export function ConnectAgent({
  orgSlug,
  appId,
  appName,
}: {
  orgSlug: string;
  appId: string;
  appName: string;
}) {
  const trpc = useTRPC();
  const mcp = useQuery(trpc.app.mcp.queryOptions({ orgSlug, appId }));
  const name = mcpServerName(appName);
  return (
    <section className="card min-w-0" aria-labelledby="connect-agent-title">
      <h2 id="connect-agent-title">Connect your agent</h2>
      <QueryState query={mcp} pendingLabel="Loading MCP endpoint">
        {(data) => (
          <>
            <p className="muted">
              One MCP server for this app: its tools are those of every API below, called with one of this
              app’s keys (replace the placeholder with a key; keys are shown once, when created).
            </p>
            <div data-testid="app-mcp-url">
              <CodeBlock label="MCP server URL of this app" code={data.url} nowrap />
            </div>
            {data.apis.length === 0 ? (
              <EmptyState
                title="No tools yet"
                description="Subscribe this app to an API that offers MCP tools; its tools then appear at this URL."
                action={{ label: 'Browse the catalog', href: '/catalog' }}
              />
            ) : (
              <>
                <ReachedApis label="Tools at this URL" apis={data.apis.filter((a) => a.kind !== 'MCP')} />
                <ReachedApis
                  label="MCP servers at their own URL"
                  apis={data.apis.filter((a) => a.kind === 'MCP')}
                />
              </>
            )}
            <h3>Cursor and other clients with Streamable HTTP</h3>
            <CodeBlock label="mcpServers configuration" code={mcpServersJson(name, data.url)} />
            <h3>Claude Desktop (through the mcp-remote bridge)</h3>
            <CodeBlock label="Claude Desktop configuration" code={claudeDesktopJson(name, data.url)} />
            <h3>TypeScript with the official MCP SDK</h3>
            <CodeBlock label="TypeScript MCP client" code={sdkSnippet(data.url)} />
          </>
        )}
      </QueryState>
    </section>
  );
}
