import { ZAiGatewayConfig, ZPromptConfig } from '@portcullis/core/ai-config';
import { badRequest, notFound } from '@portcullis/core/errors';
import { chatTool, promptTool } from '@portcullis/core/mcp/ai-tools';
import { parseApiMcpConfig, ZApiMcpConfig } from '@portcullis/core/mcp/config';
import { type McpToolDef, toolsFromOpenApi } from '@portcullis/core/mcp/tools';
import { ZId, ZSlugRef } from '@portcullis/core/schemas';
import type { Prisma } from '@portcullis/db';
import { z } from 'zod';
import { inTransaction, notifyConfig, type OrgCtx, writeAudit } from './context.ts';

/**
 * Api.mcp: which operations of a REST API are offered as MCP tools, which model routes of an AI API its
 * `chat` tool offers, whether a prompt API is offered as its `run` tool, or which tools of an upstream
 * MCP server (an MCP API) get through. Validated with the schema the gateway loads it with.
 */

export const ZApiMcpConfigGet = z.object({ apiSlug: ZSlugRef });
export const ZApiMcpConfigSet = ZApiMcpConfig.extend({ apiId: ZId });
export type ApiMcpConfigSetInput = z.input<typeof ZApiMcpConfigSet>;

const MCP_CAPABLE = new Set(['REST', 'MCP', 'AI', 'PROMPT']);

const preview = (tool: McpToolDef) => ({
  name: tool.name,
  title: tool.title ?? null,
  description: tool.description,
  method: tool.operation.method.toUpperCase(),
  path: tool.operation.pathTemplate,
  inputSchema: tool.inputSchema,
});

/** What the MCP tab previews of each tool a REST API's document yields (the gateway lists the same). */
function toolPreviews(spec: unknown) {
  const { tools, problems } = toolsFromOpenApi(spec);
  return { tools: tools.map(preview), problems };
}

type StoredApi = { kind: string; openapiSpec: unknown; ai: unknown; name: string; description: string };

/** An AI API's route names (what its `chat` tool can offer); none when its document does not load. */
export function aiRouteNames(ai: unknown): string[] {
  const parsed = ZAiGatewayConfig.safeParse(ai ?? {});
  return parsed.success ? parsed.data.routes.map((route) => route.name) : [];
}

/**
 * An AI API's MCP tab: one candidate per model route (the `tools` the provider picks); a prompt API's:
 * its one tool as the gateway lists it (from the working copy).
 */
function aiPreviews(api: StoredApi) {
  if (api.kind === 'AI') {
    const names = aiRouteNames(api.ai);
    return { tools: names.length === 0 ? [] : [preview(chatTool(api, names))], models: names, problems: [] };
  }
  const prompt = ZPromptConfig.safeParse(api.ai ?? {});
  if (!prompt.success) {
    return {
      tools: [],
      models: [],
      problems: [{ tool: 'run', message: 'the prompt is not configured yet' }],
    };
  }
  return { tools: [preview(promptTool(api, prompt.data))], models: [], problems: [] };
}

/**
 * The MCP tab's data: the stored config and, for a REST API, the tools its OpenAPI document yields
 * (what the config's `tools` names) and the operations that could not become tools.
 */
export async function getApiMcpConfig(ctx: OrgCtx, input: z.input<typeof ZApiMcpConfigGet>) {
  const { apiSlug } = ZApiMcpConfigGet.parse(input);
  const api = await ctx.db.api.findFirst({
    where: { orgId: ctx.org.id, slug: apiSlug },
    select: {
      id: true,
      slug: true,
      name: true,
      description: true,
      kind: true,
      mcp: true,
      openapiSpec: true,
      ai: true,
      updatedAt: true,
    },
  });
  if (!api) throw notFound('API');
  const { mcp, openapiSpec, ai: _ai, description: _description, ...rest } = api;
  const previews =
    api.kind === 'REST'
      ? { ...toolPreviews(openapiSpec), models: [] }
      : api.kind === 'AI' || api.kind === 'PROMPT'
        ? aiPreviews(api)
        : { tools: [], models: [], problems: [] };
  return { ...rest, config: parseApiMcpConfig(mcp), hasOpenApiSpec: openapiSpec !== null, ...previews };
}

/** Field errors for a config the API cannot have (a REST API can only offer operations it documents). */
function refusals(api: StoredApi, config: z.output<typeof ZApiMcpConfig>): Record<string, string> {
  const fields: Record<string, string> = {};
  if (api.kind === 'MCP') return fields; // an MCP API's allow-list names the upstream's own tools
  if (api.kind === 'AI' || api.kind === 'PROMPT') return aiRefusals(api, config);
  if (config.allowAllTools) {
    fields.allowAllTools = 'Only an MCP API can let every tool through; choose the operations to offer';
  }
  // The names are the tools' names as the gateway derives them (toolsFromOpenApi), so a saved name
  // always lists and calls.
  const offered = new Set(toolsFromOpenApi(api.openapiSpec).tools.map((tool) => tool.name));
  config.tools.forEach((name, index) => {
    if (!offered.has(name))
      fields[`tools.${index}`] = `The OpenAPI document has no operation for tool "${name}"`;
  });
  if (config.enabled && config.tools.length === 0 && !fields.allowAllTools) {
    fields.tools = 'Choose at least one operation to offer as a tool';
  }
  return fields;
}

/** An AI API offers routes it has (at least one when on); a prompt API offers its one tool, no list. */
function aiRefusals(api: StoredApi, config: z.output<typeof ZApiMcpConfig>): Record<string, string> {
  const fields: Record<string, string> = {};
  if (config.allowAllTools) fields.allowAllTools = 'Only an MCP API can let every tool through';
  if (api.kind === 'PROMPT') {
    if (config.tools.length > 0)
      fields.tools = 'A prompt API is offered as one tool; it has no list to choose from';
    if (config.enabled && !ZPromptConfig.safeParse(api.ai ?? {}).success)
      fields.enabled = 'Configure the prompt before offering it as a tool';
    return fields;
  }
  const routes = new Set(aiRouteNames(api.ai));
  config.tools.forEach((name, index) => {
    if (!routes.has(name)) fields[`tools.${index}`] = `The API has no model route "${name}"`;
  });
  if (config.enabled && config.tools.length === 0 && Object.keys(fields).length === 0) {
    fields.tools = 'Choose at least one model route to offer';
  }
  return fields;
}

export async function setApiMcpConfig(ctx: OrgCtx, input: ApiMcpConfigSetInput) {
  const { apiId, ...document } = ZApiMcpConfigSet.parse(input);
  const config = ZApiMcpConfig.parse(document);
  return inTransaction(ctx.db, async (tx) => {
    const api = await tx.api.findFirst({
      where: { id: apiId, orgId: ctx.org.id },
      select: { kind: true, mcp: true, openapiSpec: true, ai: true, name: true, description: true },
    });
    if (!api) throw notFound('API');
    if (!MCP_CAPABLE.has(api.kind)) throw badRequest('This kind of API cannot be offered over MCP');
    const fields = refusals(api, config);
    if (Object.keys(fields).length > 0) throw badRequest('Some MCP settings are not valid', fields);
    const updated = await tx.api.update({
      where: { id: apiId },
      data: { mcp: config as Prisma.InputJsonObject },
      select: { id: true, mcp: true, updatedAt: true },
    });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'api.updateMcp',
      targetType: 'Api',
      targetId: apiId,
      before: api.mcp as Prisma.InputJsonValue,
      after: config as Prisma.InputJsonObject,
    });
    await notifyConfig(tx, { kind: 'api', id: apiId });
    return { ...updated, mcp: parseApiMcpConfig(updated.mcp) };
  });
}
