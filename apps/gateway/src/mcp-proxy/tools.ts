import type { ApiMcpConfig } from '@portcullis/core/mcp/config';

/** The tool allow-list of an MCP API: its `tools`, or every tool with `allowAllTools`. */
export interface ToolPolicy {
  allowAll: boolean;
  allowed: ReadonlySet<string>;
}

const policies = new WeakMap<ApiMcpConfig, ToolPolicy>();
const NOTHING: ToolPolicy = { allowAll: false, allowed: new Set() };

/** The route's policy, built once per config object (the route cache hands out the same one). */
export function toolPolicy(config: ApiMcpConfig | undefined): ToolPolicy {
  if (!config) return NOTHING; // no stored allow-list: nothing is offered
  let policy = policies.get(config);
  if (!policy) {
    policy = { allowAll: config.allowAllTools, allowed: new Set(config.tools) };
    policies.set(config, policy);
  }
  return policy;
}

export const toolAllowed = (policy: ToolPolicy, name: string): boolean =>
  policy.allowAll || policy.allowed.has(name);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A JSON-RPC message with the tools the policy does not allow dropped from a tools/list result
 * (`result.tools`), or null when the message is no such result or nothing had to go. Recognised by
 * shape, not by the request's method: a stream replayed on GET carries results of earlier POSTs.
 */
export function withoutHiddenTools(message: unknown, policy: ToolPolicy): Record<string, unknown> | null {
  if (policy.allowAll || !isObject(message) || !isObject(message.result)) return null;
  const tools = message.result.tools;
  if (!Array.isArray(tools)) return null;
  const kept = tools.filter(
    (tool) => isObject(tool) && typeof tool.name === 'string' && policy.allowed.has(tool.name),
  );
  if (kept.length === tools.length) return null;
  return { ...message, result: { ...message.result, tools: kept } };
}

/** The same for a serialized message; a body that is not JSON is left as it is (null). */
export function filterToolsJson(text: string, policy: ToolPolicy): string | null {
  if (policy.allowAll) return null;
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return null;
  }
  const filtered = withoutHiddenTools(message, policy);
  return filtered ? JSON.stringify(filtered) : null;
}
