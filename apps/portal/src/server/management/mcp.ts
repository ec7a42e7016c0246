import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ListToolsRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { type ResolvedApiToken, scopeAllows } from '@portcullis/services/verbs/api-tokens';
import { readJsonBody } from './body';
import {
  accessProblem,
  ctxOf,
  MAX_BODY_BYTES,
  type ManagementDeps,
  parseInput,
  problemResponse,
  runEndpoint,
} from './dispatch';
import type { Endpoint } from './endpoint';
import { inputJsonSchema } from './openapi';
import type { Problem } from './problem';

/** `apis.list` → `apis_list`: tool names stay within the characters every client accepts. */
export const toolNameOf = (endpoint: Endpoint) => endpoint.id.replaceAll('.', '_');

interface ObjectSchema {
  properties?: Record<string, unknown>;
  required?: string[];
}

/** One tool's arguments: the path, query and body fields of the endpoint side by side. */
function toolInputSchema(endpoint: Endpoint) {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const part of [endpoint.params, endpoint.query, endpoint.body]) {
    if (!part) continue;
    const json = inputJsonSchema(part) as ObjectSchema;
    Object.assign(properties, json.properties ?? {});
    required.push(...(json.required ?? []));
  }
  return { type: 'object' as const, properties, ...(required.length ? { required } : {}) };
}

/** Splits a tool's arguments back into path, query and body, so they are checked exactly like REST's. */
function partsOf(endpoint: Endpoint, args: Record<string, unknown>) {
  const pick = (keys: string[]) =>
    Object.fromEntries(keys.filter((key) => key in args).map((key) => [key, args[key]]));
  const paramKeys = Object.keys(endpoint.params?.shape ?? {});
  const queryKeys = Object.keys(endpoint.query?.shape ?? {});
  const body = Object.fromEntries(
    Object.entries(args).filter(([key]) => !paramKeys.includes(key) && !queryKeys.includes(key)),
  );
  return { params: pick(paramKeys), query: pick(queryKeys), body };
}

const toolError = (problem: Problem): CallToolResult => ({
  isError: true,
  content: [
    {
      type: 'text',
      text: JSON.stringify({
        status: problem.status,
        code: problem.code,
        detail: problem.detail,
        errors: problem.errors,
      }),
    },
  ],
});

/** The tools this token may call: its scopes decide what is listed (its role is checked at call time too). */
const toolsFor = (token: ResolvedApiToken, endpoints: readonly Endpoint[]) =>
  endpoints.filter((endpoint) => scopeAllows(token.scopes, endpoint.scope));

function serverFor(token: ResolvedApiToken, deps: ManagementDeps, endpoints: readonly Endpoint[]): Server {
  const server = new Server(
    { name: 'portcullis-management', version: '1.0.0' },
    { capabilities: { tools: {} } },
  );
  const allowed = toolsFor(token, endpoints);
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: allowed.map((endpoint) => ({
      name: toolNameOf(endpoint),
      title: endpoint.summary,
      description: `${endpoint.method} ${endpoint.path}: ${endpoint.summary}`,
      inputSchema: toolInputSchema(endpoint),
      annotations: { readOnlyHint: endpoint.method === 'GET' },
    })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    // Looked up in the whole table, then checked like REST, so an unlisted tool gets the same 403.
    const endpoint = endpoints.find((candidate) => toolNameOf(candidate) === request.params.name);
    if (!endpoint) {
      return toolError({
        status: 404,
        code: 'NOT_FOUND',
        title: 'Not found',
        detail: `No tool ${request.params.name}`,
      });
    }
    const denied = accessProblem(token, endpoint);
    if (denied) return toolError(denied);
    const input = parseInput(endpoint, partsOf(endpoint, request.params.arguments ?? {}));
    if (!input.ok) return toolError(input.problem);
    const result = await runEndpoint(endpoint, ctxOf(token, deps), input.value);
    if (!result.ok) return toolError(result.problem);
    const text = JSON.stringify(result.value ?? null, (_key, v) =>
      typeof v === 'bigint' ? v.toString() : v,
    );
    return { content: [{ type: 'text', text }] };
  });
  return server;
}

/**
 * `/api/v1/mcp`: Streamable HTTP, stateless: a fresh server and transport per request (the SDK's web
 * standard transport takes a Request and answers a Response, which is what a route handler has).
 */
export async function handleMcp(
  request: Request,
  opts: { deps: ManagementDeps; token: ResolvedApiToken; endpoints: readonly Endpoint[] },
): Promise<Response> {
  let parsedBody: unknown;
  if (request.method === 'POST') {
    const body = await readJsonBody(request, MAX_BODY_BYTES);
    if (!body.ok) return problemResponse(body.problem);
    parsedBody = body.value;
  }
  const server = serverFor(opts.token, opts.deps, opts.endpoints);
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  try {
    return await transport.handleRequest(request, parsedBody === undefined ? {} : { parsedBody });
  } finally {
    // With JSON responses the answer is complete once handleRequest resolves.
    await server.close();
  }
}
