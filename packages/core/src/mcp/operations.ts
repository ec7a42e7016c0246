import { MCP_TOOL_NAME } from './config.ts';

/** One operation of an OpenAPI document, as the MCP tab lists it for choosing. */
export interface OpenApiOperation {
  operationId: string;
  method: string;
  path: string;
  summary: string;
  /** Whether the operationId can be an MCP tool name (the name the tool is called by). */
  usableAsTool: boolean;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The operations of a stored OpenAPI document that have an operationId, in document order; operations
 * without one cannot be named in the MCP config, so they are left out. Never throws on a malformed
 * document (it is user-supplied): what is not shaped like an operation is skipped.
 */
export function openApiOperations(spec: unknown): OpenApiOperation[] {
  if (!isObject(spec) || !isObject(spec.paths)) return [];
  const out: OpenApiOperation[] = [];
  const seen = new Set<string>();
  for (const [path, item] of Object.entries(spec.paths)) {
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const operation = item[method];
      if (!isObject(operation) || typeof operation.operationId !== 'string') continue;
      const operationId = operation.operationId;
      // operationIds are unique per the spec; a document that repeats one gets its first use.
      if (seen.has(operationId)) continue;
      seen.add(operationId);
      const summary =
        typeof operation.summary === 'string'
          ? operation.summary
          : typeof operation.description === 'string'
            ? operation.description
            : '';
      out.push({
        operationId,
        method: method.toUpperCase(),
        path,
        summary: summary.slice(0, 300),
        usableAsTool: MCP_TOOL_NAME.test(operationId),
      });
    }
  }
  return out;
}
