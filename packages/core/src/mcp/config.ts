import { z } from 'zod';

/** MCP tool names (MCP spec): 1–128 of A–Z a–z 0–9 _ - . */
export const MCP_TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
export const MAX_MCP_TOOLS = 500;

const ZMcpToolName = z
  .string()
  .trim()
  .regex(MCP_TOOL_NAME, { error: 'Tool names are 1–128 letters, digits, _, - or .' });

/**
 * `Api.mcp`: how an API is offered over MCP.
 * - REST API: `enabled` exposes the operations whose operationIds are in `tools` as MCP tools at
 *   `/{org}/{api}/mcp` (and to subscribed apps at `/mcp`).
 * - MCP API (an upstream MCP server): `tools` is the allow-list of the upstream's tool names;
 *   `allowAllTools` lets every tool through.
 */
export const ZApiMcpConfig = z.object({
  enabled: z.boolean().default(false),
  tools: z
    .array(ZMcpToolName)
    .max(MAX_MCP_TOOLS, { error: `At most ${MAX_MCP_TOOLS} tools` })
    .default([])
    .transform((names) => [...new Set(names)]),
  allowAllTools: z.boolean().default(false),
});
export type ApiMcpConfig = z.output<typeof ZApiMcpConfig>;

/** The stored document, or the default (off) when it is missing or does not parse. */
export function parseApiMcpConfig(raw: unknown): ApiMcpConfig {
  const parsed = ZApiMcpConfig.safeParse(raw ?? {});
  return parsed.success ? parsed.data : ZApiMcpConfig.parse({});
}
