import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Db } from '@portcullis/db';
import { type SeedApiOptions, seedProviderWithApi } from '../../../test/fixtures.ts';

/** An OpenAPI document whose operations reach the test upstream's echo, status and secret paths. */
export const MCP_TEST_SPEC = {
  openapi: '3.0.3',
  info: { title: 'Items', version: '1' },
  paths: {
    '/items/{itemId}': {
      get: {
        operationId: 'getItem',
        summary: 'Read one item',
        parameters: [
          { name: 'itemId', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'q', in: 'query', schema: { type: 'string' } },
        ],
        responses: {
          '200': {
            description: 'the item',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { method: { type: 'string' }, url: { type: 'string' } },
                  required: ['method', 'url'],
                },
              },
            },
          },
        },
      },
    },
    '/status/{code}': {
      get: {
        operationId: 'getStatus',
        parameters: [{ name: 'code', in: 'path', required: true, schema: { type: 'integer' } }],
        responses: { '200': { description: 'ok' } },
      },
    },
    '/echo': {
      post: {
        operationId: 'createEcho',
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: { type: 'object', properties: { name: { type: 'string' } } } },
          },
        },
        responses: { '200': { description: 'echo' } },
      },
    },
    '/secret': { get: { operationId: 'readSecret', responses: { '200': { description: 'not offered' } } } },
  },
};

export const OFFERED = ['getItem', 'getStatus', 'createEcho'];

/** A published REST API with the test document and MCP on (only OFFERED selected). */
export async function seedMcpApi(db: Db, opts: SeedApiOptions) {
  const provider = await seedProviderWithApi(db, opts);
  await db.api.update({
    where: { id: provider.api.id },
    data: { openapiSpec: MCP_TEST_SPEC, mcp: { enabled: true, tools: OFFERED } },
  });
  return provider;
}

/** The official MCP client, connected with the key in every request's headers. */
export async function connectClient(
  url: string,
  key: string,
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { authorization: `Bearer ${key}` } },
  });
  const client = new Client({ name: 'portcullis-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport };
}

/** Headers of a raw MCP POST. */
export const mcpHeaders = (key: string, sessionId?: string): Record<string, string> => ({
  authorization: `Bearer ${key}`,
  accept: 'application/json, text/event-stream',
  'content-type': 'application/json',
  ...(sessionId ? { 'mcp-session-id': sessionId } : {}),
});

export const initializeMessage = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

export const toolsListMessage = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
