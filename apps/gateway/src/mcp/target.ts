import type { ConfigCache } from '../config/config-cache.ts';
import { checkRoutable, type ParsedPath } from '../pipeline/route.ts';
import { servesMcpTools } from './catalog.ts';

/** `/{org}/{api}/mcp` (an API's tools) or `/mcp` (the tools of every API the key's app is subscribed to). */
export type McpTarget = { kind: 'api'; path: ParsedPath } | { kind: 'app' };

/**
 * `/{org}/{api}/mcp` is the API's MCP server while its provider has MCP on; otherwise the path is the
 * API's own like any other. A config failure leaves it to admission, which reports it.
 */
export async function mcpTarget(path: ParsedPath, config: ConfigCache): Promise<McpTarget | null> {
  if (path.rest !== '/mcp') return null;
  try {
    const routed = checkRoutable(await config.route(path.orgSlug, path.apiSlug));
    return routed.ok && servesMcpTools(routed.value) ? { kind: 'api', path } : null;
  } catch {
    return null;
  }
}
