import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { OfferedTool } from './catalog.ts';

/** What one MCP endpoint offers for one request. */
export interface ToolSet {
  /**
   * The tools this key may call here, loaded when a message needs them. A failure is the set's to log:
   * the client only learns that the tools are unavailable.
   */
  tools(): Promise<OfferedTool[]>;
  call(tool: OfferedTool, args: unknown): Promise<CallToolResult>;
}

export interface McpHttpAnswer {
  status: number;
  headers: Record<string, string>;
  /** null: no body (202 for notifications) */
  body: string | null;
  /** the protocol version agreed, when the message was a successful initialize */
  initializedVersion?: string | undefined;
}

const SERVER_INFO = { name: 'portcullis', title: 'Portcullis API gateway', version: '1.0.0' };

function listed(tool: OfferedTool): Tool {
  const { def } = tool;
  return {
    name: tool.name,
    ...(def.title ? { title: def.title } : {}),
    description: def.description,
    inputSchema: def.inputSchema,
    ...(def.outputSchema ? { outputSchema: def.outputSchema } : {}),
  };
}

const TOOLS_UNAVAILABLE = 'Tools are unavailable right now; retry.';

/** The SDK answers a handler's exception with its message: a database's would name hosts and ports. */
async function toolsOf(toolSet: ToolSet): Promise<OfferedTool[]> {
  try {
    return await toolSet.tools();
  } catch {
    throw new McpError(ErrorCode.InternalError, TOOLS_UNAVAILABLE);
  }
}

function mcpServer(toolSet: ToolSet): Server {
  const server = new Server(SERVER_INFO, { capabilities: { tools: { listChanged: false } } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: (await toolsOf(toolSet)).map(listed),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const tool = (await toolsOf(toolSet)).find((t) => t.name === request.params.name);
    // MCP: an unknown tool is a protocol error; a tool no longer offered (subscription ended) is unknown
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`);
    return toolSet.call(tool, request.params.arguments);
  });
  return server;
}

/**
 * One JSON-RPC message (already parsed) through the SDK's server, stateless: a fresh server and
 * transport per HTTP request, since any worker or instance may receive a session's next message.
 * Sessions are the gateway's (mcp/sessions.ts), so the transport keeps none.
 */
export async function answerMessage(
  toolSet: ToolSet,
  message: unknown,
  request: { url: string; headers: Record<string, string> },
): Promise<McpHttpAnswer> {
  const server = mcpServer(toolSet);
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  try {
    const response = await transport.handleRequest(
      new Request(request.url, { method: 'POST', headers: request.headers }),
      { parsedBody: message },
    );
    const body = response.body === null ? null : await response.text();
    const headers: Record<string, string> = {};
    const contentType = response.headers.get('content-type');
    if (contentType) headers['content-type'] = contentType;
    return { status: response.status, headers, body, initializedVersion: initializedVersion(message, body) };
  } finally {
    await server.close();
  }
}

function initializedVersion(message: unknown, body: string | null): string | undefined {
  if (body === null || (message as { method?: unknown } | null)?.method !== 'initialize') return undefined;
  try {
    const reply = JSON.parse(body) as { result?: { protocolVersion?: unknown } };
    const version = reply.result?.protocolVersion;
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}
