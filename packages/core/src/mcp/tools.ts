import { type AiToolKind, requestForAiTool } from './ai-tools.ts';
import { MAX_MCP_TOOLS, MCP_TOOL_NAME } from './config.ts';
import { followRefs, type JsonSchema, resolveIn, type SchemaWalk, schemaWalk } from './schema.ts';

/**
 * An API's operations as MCP tools: what a REST API's MCP server lists (tools/list) and how a
 * tools/call becomes one HTTP request to the API. Pure: the gateway lists and calls, the portal
 * previews, both from the same function.
 */

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
/** Headers a tool argument may never set: the gateway or the HTTP client owns them. */
const RESERVED_HEADERS = new Set([
  'authorization',
  'cookie',
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'x-api-key',
  'x-request-id',
  'traceparent',
  'tracestate',
]);
/** the argument carrying the JSON request body (a parameter of that name moves its body to `requestBody`) */
const BODY_ARGUMENT = 'body';
const MAX_DESCRIPTION = 1_024;
/** Nodes one tool's schemas may take from the document, and all tools of one document together. */
const TOOL_NODE_BUDGET = 1_500;
const DOCUMENT_NODE_BUDGET = 100_000;
/** tools/list sends every tool's schemas on each (unbilled) call: one tool's are bounded. */
const MAX_SCHEMA_BYTES = 64 * 1024;

interface ToolParameter {
  /** the parameter's name in the HTTP request */
  name: string;
  in: 'path' | 'query' | 'header';
  /** the tool argument that carries it (the name, unless two parameters share one) */
  argument: string;
  required: boolean;
  schema: JsonSchema;
}

export interface McpToolDef {
  name: string;
  title?: string;
  description: string;
  inputSchema: JsonSchema & { type: 'object' };
  /** the 2xx JSON response schema, when it describes an object (MCP structured output) */
  outputSchema?: JsonSchema & { type: 'object' };
  operation: {
    method: string;
    /** the OpenAPI path, e.g. /pets/{petId} */
    pathTemplate: string;
    params: ToolParameter[];
    /** the argument carrying the JSON body, when the operation takes one */
    bodyArgument: string | null;
    bodyRequired: boolean;
  };
  /** an AI or prompt API's tool (mcp/ai-tools.ts): built and answered as its API's call, not an operation */
  ai?: AiToolKind;
}

export interface ToolsFromOpenApi {
  tools: McpToolDef[];
  /** operations that could not become tools, and why (shown to the provider) */
  problems: { tool: string; message: string }[];
}

/** The tool name of an operation: its operationId made safe, or method + path. */
export function toolNameOf(method: string, path: string, operationId: unknown): string {
  const base =
    typeof operationId === 'string' && operationId.trim() !== ''
      ? operationId.trim()
      : `${method}_${path.replace(/[{}]/g, '')}`;
  const safe = base
    .replace(/[^A-Za-z0-9_.-]+/g, '_')
    .replace(/_{2,}/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 128);
  return MCP_TOOL_NAME.test(safe) ? safe : `${method}_operation`;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function jsonContentSchema(content: unknown, walk: SchemaWalk): JsonSchema | null | undefined {
  if (!isRecord(content)) return undefined;
  const type = Object.keys(content).find((mime) => /^application\/(.+\+)?json\b/i.test(mime));
  if (type === undefined) return null;
  const media = content[type];
  return isRecord(media) && media.schema !== undefined ? resolveIn(walk, media.schema) : {};
}

function objectSchema(schema: JsonSchema | null | undefined): (JsonSchema & { type: 'object' }) | undefined {
  return schema && schema.type === 'object' ? (schema as JsonSchema & { type: 'object' }) : undefined;
}

function successSchema(responses: unknown, walk: SchemaWalk): JsonSchema | null | undefined {
  if (!isRecord(responses)) return undefined;
  const code = ['200', '201', '2XX', '2xx', 'default'].find((c) => responses[c] !== undefined);
  const response = code === undefined ? undefined : followRefs(walk.spec, responses[code]);
  return isRecord(response) ? jsonContentSchema(response.content, walk) : undefined;
}

type Built = { tool: McpToolDef } | { problem: string };

function parameterList(
  pathItem: Record<string, unknown>,
  operation: Record<string, unknown>,
  walk: SchemaWalk,
) {
  // operation-level parameters override path-level ones with the same name and location
  const byKey = new Map<string, Record<string, unknown>>();
  for (const raw of [
    ...(Array.isArray(pathItem.parameters) ? pathItem.parameters : []),
    ...(Array.isArray(operation.parameters) ? operation.parameters : []),
  ]) {
    const param = followRefs(walk.spec, raw);
    if (isRecord(param) && typeof param.name === 'string' && typeof param.in === 'string')
      byKey.set(`${param.in}:${param.name}`, param);
  }
  return [...byKey.values()];
}

function buildTool(
  method: string,
  path: string,
  pathItem: Record<string, unknown>,
  operation: Record<string, unknown>,
  walk: SchemaWalk,
): Built {
  const name = toolNameOf(method, path, operation.operationId);
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  const params: ToolParameter[] = [];
  for (const param of parameterList(pathItem, operation, walk)) {
    const location = param.in;
    if (location === 'cookie') continue;
    if (location !== 'path' && location !== 'query' && location !== 'header') continue;
    const paramName = param.name as string;
    const headerName = paramName.toLowerCase();
    // x-portcullis-*: the marks of the gateway's own tool calls, never an argument's
    if (location === 'header' && (RESERVED_HEADERS.has(headerName) || headerName.startsWith('x-portcullis-')))
      continue;
    const schema =
      param.schema !== undefined ? resolveIn(walk, param.schema) : jsonContentSchema(param.content, walk);
    let argument = paramName;
    if (argument === BODY_ARGUMENT || properties[argument] !== undefined)
      argument = `${location}.${paramName}`;
    if (properties[argument] !== undefined) return { problem: `two parameters are both named '${argument}'` };
    const isRequired = location === 'path' || param.required === true;
    const description = text(param.description);
    properties[argument] = { ...(schema ?? { type: 'string' }), ...(description ? { description } : {}) };
    if (isRequired) required.push(argument);
    params.push({ name: paramName, in: location, argument, required: isRequired, schema: schema ?? {} });
  }
  const missingPath = [...path.matchAll(/\{([^}]+)\}/g)]
    .map((m) => m[1] as string)
    .find((p) => !params.some((param) => param.in === 'path' && param.name === p));
  if (missingPath !== undefined) return { problem: `the path parameter '${missingPath}' is not declared` };

  let bodyArgument: string | null = null;
  let bodyRequired = false;
  const requestBody = followRefs(walk.spec, operation.requestBody);
  if (isRecord(requestBody)) {
    const schema = jsonContentSchema(requestBody.content, walk);
    if (schema === null) return { problem: 'its request body is not JSON' };
    bodyArgument = properties[BODY_ARGUMENT] === undefined ? BODY_ARGUMENT : 'requestBody';
    bodyRequired = requestBody.required === true;
    const description = text(requestBody.description) ?? 'The JSON request body.';
    properties[bodyArgument] = { ...(schema ?? {}), description };
    if (bodyRequired) required.push(bodyArgument);
  }

  const summary = text(operation.summary);
  const description = [summary, text(operation.description)].filter(Boolean).join('\n\n');
  const inputSchema = { type: 'object' as const, properties, ...(required.length ? { required } : {}) };
  if (JSON.stringify(inputSchema).length > MAX_SCHEMA_BYTES)
    return { problem: `its input schema is larger than ${MAX_SCHEMA_BYTES / 1024} KB` };
  const output = objectSchema(successSchema(operation.responses, walk));
  // structured output is optional: a schema too large to send is left out, the tool stays
  const outputSchema = output && JSON.stringify(output).length <= MAX_SCHEMA_BYTES ? output : undefined;
  return {
    tool: {
      name,
      ...(summary ? { title: summary.slice(0, 200) } : {}),
      description: (description || `${method.toUpperCase()} ${path}`).slice(0, MAX_DESCRIPTION),
      inputSchema,
      ...(outputSchema ? { outputSchema } : {}),
      operation: { method: method.toUpperCase(), pathTemplate: path, params, bodyArgument, bodyRequired },
    },
  };
}

/**
 * The tools of an OpenAPI 3.x document. `select`: tool names to keep (absent: all). Operations that
 * cannot be called with JSON arguments are left out with a problem naming why.
 */
export function toolsFromOpenApi(
  spec: unknown,
  options: { select?: readonly string[] } = {},
): ToolsFromOpenApi {
  const tools: McpToolDef[] = [];
  const problems: ToolsFromOpenApi['problems'] = [];
  const paths = isRecord(spec) && isRecord(spec.paths) ? spec.paths : {};
  const wanted = options.select ? new Set(options.select) : null;
  const seen = new Set<string>();
  const document = schemaWalk(spec, DOCUMENT_NODE_BUDGET);
  for (const [path, rawItem] of Object.entries(paths)) {
    // only what a selected operation uses is ever resolved: the rest of the document costs nothing
    const pathItem = followRefs(spec, rawItem);
    if (!isRecord(pathItem) || !path.startsWith('/')) continue;
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (!isRecord(operation)) continue;
      const name = toolNameOf(method, path, operation.operationId);
      if (wanted && !wanted.has(name)) continue;
      if (seen.has(name)) {
        problems.push({ tool: name, message: 'another operation has the same tool name' });
        continue;
      }
      seen.add(name);
      const walk = schemaWalk(spec, Math.min(TOOL_NODE_BUDGET, document.nodesLeft));
      const budget = walk.nodesLeft;
      const built = buildTool(method, path, pathItem, operation, walk);
      document.nodesLeft -= budget - walk.nodesLeft;
      if ('problem' in built) problems.push({ tool: name, message: built.problem });
      else if (tools.length >= MAX_MCP_TOOLS) problems.push({ tool: name, message: 'too many tools' });
      else tools.push(built.tool);
    }
  }
  return { tools, problems };
}

interface ToolRequest {
  method: string;
  /** the path below the API's base, each parameter percent-encoded: never leaves the API's tree */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  /** the JSON body, serialised */
  body?: string;
}

export type ToolRequestResult =
  | { ok: true; value: ToolRequest }
  | { ok: false; error: { field: string; message: string } };

const fail = (field: string, message: string): ToolRequestResult => ({
  ok: false,
  error: { field, message },
});

function scalarText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return null;
}

function typeProblem(schema: JsonSchema, value: unknown): string | null {
  const type = schema.type;
  if (type === 'integer' && !(typeof value === 'number' && Number.isInteger(value)))
    return 'must be an integer';
  if (type === 'number' && !(typeof value === 'number' && Number.isFinite(value))) return 'must be a number';
  if (type === 'boolean' && typeof value !== 'boolean') return 'must be true or false';
  if (type === 'string' && typeof value !== 'string') return 'must be a string';
  if (type === 'array' && !Array.isArray(value)) return 'must be an array';
  if (Array.isArray(schema.enum) && !schema.enum.some((allowed) => allowed === value))
    return `must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  return null;
}

/** A dot segment, also when an upstream would strip a `;param` from it (`..;x`). */
const isDotSegment = (value: string) => /^\.{1,2}$/.test(value.split(';')[0] ?? '');

/**
 * The HTTP request of a tools/call. Every problem names the argument; nothing is sent for a call
 * whose arguments do not fit the tool.
 */
export function requestForToolCall(tool: McpToolDef, args: unknown): ToolRequestResult {
  if (tool.ai) return requestForAiTool(tool.ai, args);
  const input = args ?? {};
  if (!isRecord(input)) return fail('arguments', 'must be an object');
  const known = new Set(Object.keys(tool.inputSchema.properties ?? {}));
  const unknown = Object.keys(input).find((key) => !known.has(key));
  if (unknown !== undefined) return fail(unknown, 'is not an argument of this tool');

  let path = tool.operation.pathTemplate;
  const query = new URLSearchParams();
  const headers: Record<string, string> = {};
  for (const param of tool.operation.params) {
    const value = input[param.argument];
    if (value === undefined || value === null) {
      if (param.required) return fail(param.argument, 'is required');
      continue;
    }
    const problem = typeProblem(param.schema, value);
    if (problem) return fail(param.argument, problem);
    if (param.in === 'query' && Array.isArray(value)) {
      for (const item of value) {
        const itemText = scalarText(item);
        if (itemText === null) return fail(param.argument, 'must be a list of strings, numbers or booleans');
        query.append(param.name, itemText);
      }
      continue;
    }
    const valueText = scalarText(value) ?? (param.in === 'query' ? JSON.stringify(value) : null);
    if (valueText === null) return fail(param.argument, 'must be a string, number or boolean');
    if (param.in === 'path') {
      if (valueText === '') return fail(param.argument, 'must not be empty');
      if (isDotSegment(valueText)) return fail(param.argument, "must not be '.' or '..'");
      path = path.split(`{${param.name}}`).join(encodeURIComponent(valueText));
    } else if (param.in === 'query') {
      query.append(param.name, valueText);
    } else {
      if (/[\r\n\0]/.test(valueText)) return fail(param.argument, 'must not contain line breaks');
      headers[param.name.toLowerCase()] = valueText;
    }
  }
  const request: ToolRequest = { method: tool.operation.method, path, query, headers };
  const { bodyArgument, bodyRequired } = tool.operation;
  if (bodyArgument !== null) {
    const body = input[bodyArgument];
    if (body === undefined) {
      if (bodyRequired) return fail(bodyArgument, 'is required');
    } else {
      request.body = JSON.stringify(body);
      request.headers['content-type'] = 'application/json';
    }
  }
  return { ok: true, value: request };
}
