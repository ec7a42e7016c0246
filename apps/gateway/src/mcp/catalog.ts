import { createHash } from 'node:crypto';
import type { ModelRoute } from '@portcullis/core/ai-config';
import { chatTool, promptTool } from '@portcullis/core/mcp/ai-tools';
import { type McpToolDef, toolsFromOpenApi } from '@portcullis/core/mcp/tools';
import { listedPrompt } from '../config/prompt-versions.ts';
import type { RouteRecord } from '../config/repository.ts';

/**
 * Which tools an MCP endpoint offers. A REST API's server offers the operations its provider picked
 * (Api.mcp.tools) from its OpenAPI document; a prompt API its prompt as the tool `run`; an AI API the
 * tool `chat` over the model routes its provider picked (Api.mcp.tools names them); an app's `/mcp` offers those of every API it is actively
 * subscribed to, each under `{apiSlug}.{tool}` (or `{orgSlug}.{apiSlug}.{tool}`: see appTools).
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
/** the chain's own work around an AI call (admission, guardrails, logging) */
const CHAIN_MARGIN_MS = 5_000;
/** no tool call is held open longer than this, whatever a route allows */
const MAX_AI_TOOL_MS = 15 * 60_000;
// Route records are replaced whenever their API changes, so a record's tools never go stale.
const toolsOfRoute = new WeakMap<RouteRecord, McpToolDef[]>();

/**
 * The MCP server of a REST, AI or prompt API is on when the provider enabled it (and an AI API offers
 * at least one of its routes); MCP-kind APIs are served elsewhere.
 */
export function servesMcpTools(route: RouteRecord): boolean {
  if (route.mcp?.enabled !== true) return false;
  if (route.kind === undefined || route.kind === 'REST') return true;
  if (route.kind === 'PROMPT') return route.ai?.kind === 'PROMPT';
  if (route.kind === 'AI') return offeredModels(route).length > 0;
  return false;
}

/** The routes of an AI API its provider offers to agents, in the order they are configured. */
function offeredModels(route: RouteRecord): string[] {
  if (route.ai?.kind !== 'AI') return [];
  const picked = new Set(route.mcp?.tools ?? []);
  return route.ai.gateway.routes.map((r) => r.name).filter((name) => picked.has(name));
}

/** The tools an API offers: only what its provider selected, never the whole document. */
export function apiTools(route: RouteRecord): McpToolDef[] {
  if (!servesMcpTools(route)) return [];
  let tools = toolsOfRoute.get(route);
  if (!tools) {
    tools = buildTools(route);
    toolsOfRoute.set(route, tools);
  }
  return tools;
}

function buildTools(route: RouteRecord): McpToolDef[] {
  const text = route.mcpText ?? { name: 'this API', description: '' };
  if (route.ai?.kind === 'PROMPT') {
    const prompt = listedPrompt(route.ai);
    const versions = route.ai.release ? [...route.ai.release.versions.values()] : [prompt];
    const longest = Math.max(...versions.map((p) => longestCall(p.routes, [p.model])));
    return [promptTool(text, prompt, longest)];
  }
  if (route.ai?.kind === 'AI') {
    const models = offeredModels(route);
    return [chatTool(text, models, longestCall(route.ai.gateway.routes, models))];
  }
  const selected = route.mcp?.tools ?? [];
  return selected.length === 0 ? [] : toolsFromOpenApi(route.openapiSpec, { select: selected }).tools;
}

/**
 * The longest a call of these routes may take at the API: every attempt to its own timeout, plus time
 * for the chain around it. A tool call waits that long for the answer it is billed for.
 */
function longestCall(routes: readonly ModelRoute[], names: readonly string[]): number {
  const wanted = new Set(names);
  const attempts = routes.filter((r) => wanted.has(r.name)).map((r) => r.timeoutMs * r.maxAttempts);
  return Math.min(Math.max(0, ...attempts) + CHAIN_MARGIN_MS, MAX_AI_TOOL_MS);
}

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);

/**
 * `{prefix}.{tool}`, at most 128 characters. Too long: the tool part is cut and ends in a hash of the
 * whole tool name, so two long names stay apart.
 */
export function namespacedName(prefix: string, tool: string): string {
  const plain = `${prefix}.${tool}`;
  if (plain.length <= MAX_TOOL_NAME) return plain;
  const suffix = `-${shortHash(tool)}`;
  return `${prefix}.${tool.slice(0, MAX_TOOL_NAME - prefix.length - 1 - suffix.length)}${suffix}`;
}

type SubscribedApi = { orgSlug: string; apiSlug: string; tools: McpToolDef[] };

/**
 * The app-level names of its APIs' tools: `{apiSlug}.{tool}`, or `{orgSlug}.{apiSlug}.{tool}` for every
 * API whose slug another subscribed API shares. Org slugs are unique and slugs have no dots, so a
 * qualified name belongs to its organization: no tenant can take it by picking a slug. Tool names may
 * hold dots, so a plain name can still spell a qualified one (API `acme`, tool `pets.get`): such an API
 * is qualified too, never the one whose name it spells.
 */
export function appTools(apis: SubscribedApi[]): OfferedTool[] {
  const ordered = [...apis].sort((a, b) =>
    `${a.orgSlug}/${a.apiSlug}`.localeCompare(`${b.orgSlug}/${b.apiSlug}`, 'en'),
  );
  const slugCount = new Map<string, number>();
  for (const api of ordered) slugCount.set(api.apiSlug, (slugCount.get(api.apiSlug) ?? 0) + 1);
  const qualified = new Set(ordered.filter((api) => (slugCount.get(api.apiSlug) ?? 0) > 1));
  // each round qualifies at least one more API, so this ends
  for (;;) {
    const taken = new Set(ordered.filter((api) => qualified.has(api)).flatMap((api) => namesOf(api, true)));
    const spelling = ordered.filter(
      (api) => !qualified.has(api) && namesOf(api, false).some((name) => taken.has(name)),
    );
    if (spelling.length === 0) break;
    for (const api of spelling) qualified.add(api);
  }
  const names = new Set<string>();
  const offered: OfferedTool[] = [];
  for (const api of ordered) {
    const prefix = qualified.has(api) ? `${api.orgSlug}.${api.apiSlug}` : api.apiSlug;
    for (const def of api.tools) {
      const name = namespacedName(prefix, def.name);
      if (names.has(name)) continue; // only a hash collision of cut names: the first keeps it
      names.add(name);
      offered.push({ name, def, orgSlug: api.orgSlug, apiSlug: api.apiSlug });
    }
  }
  return offered;
}

function namesOf(api: SubscribedApi, qualified: boolean): string[] {
  const prefix = qualified ? `${api.orgSlug}.${api.apiSlug}` : api.apiSlug;
  return api.tools.map((def) => namespacedName(prefix, def.name));
}
