import { badRequest, notFound } from '@portcullis/core/errors';
import { parseApiMcpConfig, ZApiMcpConfig } from '@portcullis/core/mcp/config';
import { toolsFromOpenApi } from '@portcullis/core/mcp/tools';
import { ZId, ZSlugRef } from '@portcullis/core/schemas';
import type { Prisma } from '@portcullis/db';
import { z } from 'zod';
import { inTransaction, notifyConfig, type OrgCtx, writeAudit } from './context.ts';

/**
 * Api.mcp: which operations of a REST API are offered as MCP tools, or which tools of an upstream MCP
 * server (an MCP API) get through. Validated with the schema the gateway loads it with.
 */

export const ZApiMcpConfigGet = z.object({ apiSlug: ZSlugRef });
export const ZApiMcpConfigSet = ZApiMcpConfig.extend({ apiId: ZId });
export type ApiMcpConfigSetInput = z.input<typeof ZApiMcpConfigSet>;

const MCP_CAPABLE = new Set(['REST', 'MCP']);

/** What the MCP tab previews of each tool a REST API's document yields (the gateway lists the same). */
function toolPreviews(spec: unknown) {
  const { tools, problems } = toolsFromOpenApi(spec);
  return {
    tools: tools.map((tool) => ({
      name: tool.name,
      title: tool.title ?? null,
      description: tool.description,
      method: tool.operation.method.toUpperCase(),
      path: tool.operation.pathTemplate,
      inputSchema: tool.inputSchema,
    })),
    problems,
  };
}

/**
 * The MCP tab's data: the stored config and, for a REST API, the tools its OpenAPI document yields
 * (what the config's `tools` names) and the operations that could not become tools.
 */
export async function getApiMcpConfig(ctx: OrgCtx, input: z.input<typeof ZApiMcpConfigGet>) {
  const { apiSlug } = ZApiMcpConfigGet.parse(input);
  const api = await ctx.db.api.findFirst({
    where: { orgId: ctx.org.id, slug: apiSlug },
    select: { id: true, slug: true, name: true, kind: true, mcp: true, openapiSpec: true, updatedAt: true },
  });
  if (!api) throw notFound('API');
  const { mcp, openapiSpec, ...rest } = api;
  return {
    ...rest,
    config: parseApiMcpConfig(mcp),
    hasOpenApiSpec: openapiSpec !== null,
    ...(api.kind === 'REST' ? toolPreviews(openapiSpec) : { tools: [], problems: [] }),
  };
}

type StoredApi = { kind: string; openapiSpec: unknown };

/** Field errors for a config the API cannot have (a REST API can only offer operations it documents). */
function refusals(api: StoredApi, config: z.output<typeof ZApiMcpConfig>): Record<string, string> {
  const fields: Record<string, string> = {};
  if (api.kind !== 'REST') return fields; // an MCP API's allow-list names the upstream's own tools
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

export async function setApiMcpConfig(ctx: OrgCtx, input: ApiMcpConfigSetInput) {
  const { apiId, ...document } = ZApiMcpConfigSet.parse(input);
  const config = ZApiMcpConfig.parse(document);
  return inTransaction(ctx.db, async (tx) => {
    const api = await tx.api.findFirst({
      where: { id: apiId, orgId: ctx.org.id },
      select: { kind: true, mcp: true, openapiSpec: true },
    });
    if (!api) throw notFound('API');
    if (!MCP_CAPABLE.has(api.kind)) throw badRequest('Only REST and MCP APIs can be offered over MCP');
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
