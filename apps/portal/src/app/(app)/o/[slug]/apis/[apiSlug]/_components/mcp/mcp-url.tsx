'use client';

import { CodeBlock } from '~/components/ui/code-block';

/** Where agents connect to this API's MCP server (Streamable HTTP, with a consumer's key). */
export function McpUrl({ url, enabled }: { url: string; enabled: boolean }) {
  return (
    <section className="card" aria-labelledby="mcp-url-title">
      <h2 id="mcp-url-title">MCP server</h2>
      <p className="muted">
        {enabled
          ? 'Agents connect here over Streamable HTTP with a subscribed app’s key (Authorization: Bearer <key>).'
          : 'Offer tools below to turn this URL on.'}
      </p>
      <div data-testid="mcp-url">
        <CodeBlock label="MCP server URL" code={url} nowrap />
      </div>
    </section>
  );
}
