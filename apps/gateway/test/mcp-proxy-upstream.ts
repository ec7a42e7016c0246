import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export interface McpUpstream {
  url: string;
  /** tool names the upstream ran, in order */
  calls: string[];
  /** every HTTP request it got: method, session id header and the headers */
  requests: { method: string; sessionId: string | undefined; headers: IncomingHttpHeaders }[];
  /** session ids it issued, and those ended by a DELETE */
  sessions: string[];
  deleted: string[];
  /** the server of each live session (to send notifications from) */
  servers: Map<string, McpServer>;
  close(): Promise<void>;
}

/**
 * An upstream MCP server as the SDK makes one: McpServer + StreamableHTTPServerTransport on node:http,
 * stateful (one transport per session). Tools: echo, add, countdown (progress notifications on its
 * stream), secret (never to be reached through the gateway's allow-list). `json` answers with JSON
 * bodies instead of event streams.
 */
export async function startMcpUpstream(options: { json?: boolean } = {}): Promise<McpUpstream> {
  const calls: string[] = [];
  const requests: McpUpstream['requests'] = [];
  const sessions: string[] = [];
  const deleted: string[] = [];
  const servers = new Map<string, McpServer>();
  const transports = new Map<string, StreamableHTTPServerTransport>();

  const newServer = () => {
    const server = new McpServer({ name: 'upstream', version: '1.0.0' }, { capabilities: { logging: {} } });
    server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => {
      calls.push('echo');
      return { content: [{ type: 'text', text }] };
    });
    server.registerTool('add', { inputSchema: { a: z.number(), b: z.number() } }, async ({ a, b }) => {
      calls.push('add');
      return { content: [{ type: 'text', text: String(a + b) }] };
    });
    server.registerTool('countdown', { inputSchema: { from: z.number() } }, async ({ from }, extra) => {
      calls.push('countdown');
      const token = extra._meta?.progressToken;
      for (let i = 1; i <= from; i++) {
        if (token !== undefined)
          await extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken: token, progress: i, total: from },
          });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return { content: [{ type: 'text', text: 'liftoff' }] };
    });
    server.registerTool('secret', { inputSchema: {} }, async () => {
      calls.push('secret');
      return { content: [{ type: 'text', text: 'the secret' }] };
    });
    return server;
  };

  const http: Server = createServer(async (req, res) => {
    const header = req.headers['mcp-session-id'];
    const sessionId = Array.isArray(header) ? header[0] : header;
    requests.push({ method: req.method ?? '', sessionId, headers: req.headers });
    let transport = sessionId ? transports.get(sessionId) : undefined;
    if (sessionId && !transport) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found' } }),
      );
      return;
    }
    if (req.method === 'DELETE' && sessionId) deleted.push(sessionId);
    if (!transport) {
      const server = newServer();
      const created = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableJsonResponse: options.json ?? false,
        onsessioninitialized: (id) => {
          sessions.push(id);
          transports.set(id, created);
          servers.set(id, server);
        },
      });
      created.onclose = () => {
        if (created.sessionId) {
          transports.delete(created.sessionId);
          servers.delete(created.sessionId);
        }
      };
      await server.connect(created);
      transport = created;
    }
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    calls,
    requests,
    sessions,
    deleted,
    servers,
    close: () =>
      new Promise((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
