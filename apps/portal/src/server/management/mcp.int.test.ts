import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTenantWorld, type TenantWorld } from '../security/test/world';
import { db } from '../test/harness';
import { managementHandler } from './handler';
import { toolNameOf } from './mcp';
import { MANAGEMENT_ENDPOINTS } from './table';
import { tokenFor } from './test/client';

/** The route handler behind a tiny node:http adapter, so the official SDK client can talk to it. */
let server: Server;
let base: string;
let world: TenantWorld;

beforeAll(async () => {
  const handle = managementHandler({ db });
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length ? Buffer.concat(chunks) : undefined;
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') headers.set(name, value);
    }
    const response = await handle(
      new Request(`http://${req.headers.host}${req.url}`, {
        method: req.method,
        headers,
        ...(body ? { body } : {}),
      }),
    );
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  world = await seedTenantWorld(db);
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function connect(token: string) {
  const client = new Client({ name: 'management-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${base}/api/v1/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return client;
}

describe('management API MCP server', () => {
  it('lists only the tools the token scopes allow, with their input schemas', async () => {
    const { token } = await tokenFor(db, world.provider.id, world.provider.members.OWNER, 'OWNER', [
      'apis:read',
      'logs:write',
    ]);
    const client = await connect(token);
    const { tools } = await client.listTools();
    const expected = MANAGEMENT_ENDPOINTS.filter(
      (e) => e.scope === 'apis:read' || e.scope === 'logs:read',
    ).map(toolNameOf);
    expect(tools.map((tool) => tool.name).sort()).toEqual(expected.sort());
    const get = tools.find((tool) => tool.name === 'apis_get');
    expect(get?.inputSchema).toMatchObject({ type: 'object', required: ['apiId'] });
    await client.close();
  });

  it('runs a tool call through the same handler, checks and audit', async () => {
    const { token, id } = await tokenFor(db, world.provider.id, world.provider.members.OWNER, 'OWNER', [
      'apis:write',
    ]);
    const client = await connect(token);
    const listed = await client.callTool({ name: 'apis_get', arguments: { apiId: world.provider.apiId } });
    expect(listed.isError).toBeFalsy();
    const [content] = listed.content as Array<{ type: string; text: string }>;
    expect(JSON.parse(content?.text ?? '{}')).toMatchObject({
      id: world.provider.apiId,
      slug: world.provider.apiSlug,
    });

    const updated = await client.callTool({
      name: 'apis_update',
      arguments: {
        apiId: world.provider.apiId,
        name: 'Via MCP',
        description: '',
        tags: [],
        visibility: 'PUBLIC',
      },
    });
    expect(updated.isError).toBeFalsy();
    const audit = await db.auditLog.findFirst({ where: { orgId: world.provider.id, apiTokenId: id } });
    expect(audit?.actorId).toBe(world.provider.members.OWNER);

    const invalid = await client.callTool({
      name: 'apis_update',
      arguments: { apiId: world.provider.apiId, name: '' },
    });
    expect(invalid.isError).toBe(true);

    // Not listed for this token, and refused the same way when called by name anyway.
    const refused = await client.callTool({ name: 'members_list', arguments: {} });
    expect(refused.isError).toBe(true);
    expect(JSON.stringify(refused.content)).toContain('members:read');

    const foreign = await client.callTool({ name: 'apis_get', arguments: { apiId: 'no-such-api' } });
    expect(foreign.isError).toBe(true);
    expect(JSON.stringify(foreign.content)).toContain('NOT_FOUND');
    await client.close();
  });

  it('answers a GET (no server-sent stream without sessions) without hanging', async () => {
    const { token } = await tokenFor(db, world.provider.id, world.provider.members.OWNER, 'OWNER', [
      'apis:read',
    ]);
    const response = await fetch(`${base}/api/v1/mcp`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      signal: AbortSignal.timeout(3000),
    });
    await response.text();
    expect(response.status).toBeLessThan(500);
  });

  it('refuses an unauthenticated MCP request with 401', async () => {
    const response = await fetch(`${base}/api/v1/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(401);
  });
});
