import { createHash } from 'node:crypto';
import { type McpToolDef, toolsFromOpenApi } from '@portcullis/core/mcp/tools';
import type { RouteRecord } from '../config/repository.ts';

/**
 * Which tools an MCP endpoint offers. A REST API's server offers the operations its provider picked
 * (Api.mcp.tools) from its OpenAPI document; an app's `/mcp` offers those of every API it is actively
 * subscribed to, each under `{apiSlug}.{tool}`.
 */

/** A tool as offered at one endpoint, and where a call of it goes. */
export interface OfferedTool {
  /** the name at this endpoint (namespaced at the app's /mcp) */
  name: string;
  /** the API's own tool (its name is the one usage and logs record) */
  def: McpToolDef;
  orgSlug: string;
  apiSlug: string;
}

const MAX_TOOL_NAME = 128;
// Route records are replaced whenever their API changes, so a record's tools never go stale.
const toolsOfRoute = new WeakMap<RouteRecord, McpToolDef[]>();

/** The MCP server of a REST API is on when the provider enabled it; MCP-kind APIs are served elsewhere. */
export function servesMcpTools(route: RouteRecord): boolean {
  return (route.kind === undefined || route.kind === 'REST') && route.mcp?.enabled === true;
}

/** The tools an API offers: only operations its provider selected, never the whole document. */
export function apiTools(route: RouteRecord): McpToolDef[] {
  if (!servesMcpTools(route)) return [];
  let tools = toolsOfRoute.get(route);
  if (!tools) {
    const selected = route.mcp?.tools ?? [];
    tools = selected.length === 0 ? [] : toolsFromOpenApi(route.openapiSpec, { select: selected }).tools;
    toolsOfRoute.set(route, tools);
  }
  return tools;
}

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);

/**
 * `{apiSlug}.{tool}`, at most 128 characters. Too long: the tool part is cut and ends in a hash of the
 * whole tool name, so two long names stay apart.
 */
export function namespacedName(apiSlug: string, tool: string): string {
  const plain = `${apiSlug}.${tool}`;
  if (plain.length <= MAX_TOOL_NAME) return plain;
  const suffix = `-${shortHash(tool)}`;
  return `${apiSlug}.${tool.slice(0, MAX_TOOL_NAME - apiSlug.length - 1 - suffix.length)}${suffix}`;
}

/**
 * The app-level names of its APIs' tools. Two subscribed APIs can share a slug (in different orgs):
 * APIs are taken in `{org}/{api}` order, the first keeps `{apiSlug}.{tool}` and a later one with the same
 * slug becomes `{apiSlug}-{hash of org/api}.{tool}` — stable for as long as the subscriptions are.
 */
export function appTools(apis: { orgSlug: string; apiSlug: string; tools: McpToolDef[] }[]): OfferedTool[] {
  const ordered = [...apis].sort((a, b) =>
    `${a.orgSlug}/${a.apiSlug}`.localeCompare(`${b.orgSlug}/${b.apiSlug}`, 'en'),
  );
  const slugsTaken = new Set<string>();
  const names = new Set<string>();
  const offered: OfferedTool[] = [];
  for (const api of ordered) {
    const prefix = slugsTaken.has(api.apiSlug)
      ? `${api.apiSlug}-${shortHash(`${api.orgSlug}/${api.apiSlug}`)}`
      : api.apiSlug;
    slugsTaken.add(api.apiSlug);
    for (const def of api.tools) {
      const name = namespacedName(prefix, def.name);
      if (names.has(name)) continue; // only a hash collision: the first keeps it
      names.add(name);
      offered.push({ name, def, orgSlug: api.orgSlug, apiSlug: api.apiSlug });
    }
  }
  return offered;
}
