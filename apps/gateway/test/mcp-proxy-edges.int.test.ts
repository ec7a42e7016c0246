import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConsumerWithKey, seedProviderWithApi } from '../../../test/fixtures.ts';
import { SESSIONS_PER_MINUTE } from '../src/mcp/session-limit.ts';
import { bearer, call, startWorld, type TestWorld } from './harness.ts';
import { type McpUpstream, startMcpUpstream } from './mcp-proxy-upstream.ts';

const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const INIT = JSON.stringify({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

async function seedMcpApi(world: TestWorld, upstreamUrl: string, rateLimit = 1000) {
  const provider = await seedProviderWithApi(world.db, { upstreamUrl, rateLimit });
  await world.db.api.update({
    where: { id: provider.api.id },
    data: { kind: 'MCP', mcp: { tools: ['echo', 'add'], allowAllTools: false } },
  });
  const consumer = await seedConsumerWithKey(world.db, provider.plan.id);
  return { provider, consumer, path: `/${provider.org.slug}/${provider.api.slug}/mcp` };
}

async function connect(base: string, path: string, key: string): Promise<Client> {
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${base}${path}`), { requestInit: { headers: bearer(key) } }),
  );
  return client;
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('MCP APIs: limits, failures and bad input', () => {
  let world: TestWorld;
  let upstream: McpUpstream;
  let jsonUpstream: McpUpstream;
  const clients: Client[] = [];

  beforeAll(async () => {
    world = await startWorld({ redis: true });
    upstream = await startMcpUpstream();
    jsonUpstream = await startMcpUpstream({ json: true });
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    await upstream?.close();
    await jsonUpstream?.close();
    await world?.close();
  });

  it('filters tools/list and serves calls from an upstream answering in JSON', async () => {
    const api = await seedMcpApi(world, jsonUpstream.url);
    const client = await connect(world.gateway.url, api.path, api.consumer.plaintext);
    clients.push(client);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(['add', 'echo']);
    const result = await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
    expect(result.content).toEqual([{ type: 'text', text: '3' }]);
  });

  it('charges only tool calls to the rate limit and answers a limited call as a tool error', async () => {
    const api = await seedMcpApi(world, upstream.url, 2);
    const client = await connect(world.gateway.url, api.path, api.consumer.plaintext);
    clients.push(client);
    for (let i = 0; i < 4; i++) await client.listTools();
    await client.ping();
    expect((await client.callTool({ name: 'echo', arguments: { text: '1' } })).isError).toBeFalsy();
    expect((await client.callTool({ name: 'echo', arguments: { text: '2' } })).isError).toBeFalsy();
    const calls = upstream.calls.length;
    const limited = await client.callTool({ name: 'echo', arguments: { text: '3' } });
    expect(limited.isError).toBe(true);
    expect(limited.content).toEqual([
      { type: 'text', text: expect.stringMatching(/^Rate limit reached: .* Retry after \d+ seconds\.$/) },
    ]);
    expect(upstream.calls.length).toBe(calls); // never forwarded
    await world.usageSettled();
    const logs = await world.db.requestLog.findMany({
      where: { subscriptionId: api.consumer.subscription.id, mcpTool: 'echo' },
    });
    expect(logs.map((row) => row.status).sort()).toEqual([200, 200, 429]);
    expect(logs.find((row) => row.status === 429)?.errorCode).toBe('rate_limited');
  });

  it('lets a key open a bounded number of sessions a minute', async () => {
    const api = await seedMcpApi(world, upstream.url);
    const open = () =>
      call(world.gateway.url, api.path, {
        method: 'POST',
        headers: { ...MCP_HEADERS, ...bearer(api.consumer.plaintext) },
        body: INIT,
      });
    // the window refills continuously (GCRA): a few more get through while the burst is sent
    let opened = 0;
    let refused: Awaited<ReturnType<typeof open>> | undefined;
    let before = 0;
    while (!refused && opened < SESSIONS_PER_MINUTE + 20) {
      before = upstream.requests.length;
      const res = await open();
      if (res.status === 200) opened += 1;
      else refused = res;
    }
    expect(opened).toBeGreaterThanOrEqual(SESSIONS_PER_MINUTE);
    expect(refused?.status).toBe(429);
    expect(Number(refused?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused?.json()).toMatchObject({ id: 0, error: { message: expect.stringContaining('sessions') } });
    expect(upstream.requests.length).toBe(before);
  });

  it('answers a JSON-RPC error when the upstream is down, logged as upstream_unavailable', async () => {
    const api = await seedMcpApi(world, `http://127.0.0.1:${await closedPort()}/mcp`);
    const res = await call(world.gateway.url, api.path, {
      method: 'POST',
      headers: { ...MCP_HEADERS, ...bearer(api.consumer.plaintext) },
      body: INIT,
    });
    expect(res.status).toBe(502);
    expect(res.json()).toMatchObject({
      jsonrpc: '2.0',
      id: 0,
      error: { code: -32002, message: expect.stringContaining('upstream MCP server is unavailable') },
    });
    const client = new Client({ name: 'test-client', version: '1.0.0' });
    const failed = await client
      .connect(
        new StreamableHTTPClientTransport(new URL(`${world.gateway.url}${api.path}`), {
          requestInit: { headers: bearer(api.consumer.plaintext) },
        }),
      )
      .catch((error: unknown) => String(error));
    expect(failed).toContain('upstream MCP server is unavailable');
    await world.usageSettled();
    const logs = await world.db.requestLog.findMany({ where: { apiId: api.provider.api.id } });
    expect(logs.length).toBe(2);
    for (const row of logs) expect(row).toMatchObject({ status: 502, errorCode: 'upstream_unavailable' });
  });

  it('keeps to the SSRF guard: an upstream on a host not allow-listed is never connected to', async () => {
    // localhost resolves to loopback, and only the address 127.0.0.1 is allow-listed for tests
    const port = new URL(upstream.url).port;
    const api = await seedMcpApi(world, `http://localhost:${port}/mcp`);
    const before = upstream.requests.length;
    const res = await call(world.gateway.url, api.path, {
      method: 'POST',
      headers: { ...MCP_HEADERS, ...bearer(api.consumer.plaintext) },
      body: INIT,
    });
    expect(res.status).toBe(502);
    expect(res.json()).toMatchObject({ id: 0, error: { code: -32002 } });
    expect(upstream.requests.length).toBe(before);
    await world.usageSettled();
    const [row] = await world.db.requestLog.findMany({ where: { apiId: api.provider.api.id } });
    expect(row?.errorCode).toBe('upstream_forbidden');
  });

  it('answers bad input with JSON-RPC errors and 4xx, never a 5xx, and forwards none of it', async () => {
    const api = await seedMcpApi(world, upstream.url);
    const key = bearer(api.consumer.plaintext);
    const post = (body: string, headers: Record<string, string> = {}, path = api.path) =>
      call(world.gateway.url, path, {
        method: 'POST',
        headers: { ...MCP_HEADERS, ...key, ...headers },
        body,
      });
    const init = await post(INIT);
    expect(init.status).toBe(200);
    const session = { 'mcp-session-id': String(init.headers['mcp-session-id']) };
    const seenBefore = upstream.requests.length;

    const notJson = await post('{"jsonrpc": "2.0", "id": 1, "method": ', session);
    expect(notJson.status).toBe(400);
    expect(notJson.json()).toMatchObject({ id: null, error: { code: -32700 } });

    const batch = await post(JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'ping' }]), session);
    expect(batch.status).toBe(400);
    expect(batch.json()).toMatchObject({
      error: { code: -32600, message: expect.stringContaining('Batch') },
    });

    const unknown = await post(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'admin/shutdown' }), session);
    expect(unknown.status).toBe(200);
    expect(unknown.json()).toMatchObject({ id: 7, error: { code: -32601 } });

    const notRpc = await post(JSON.stringify({ hello: 'world' }), session);
    expect(notRpc.status).toBe(400);
    expect(notRpc.json()).toMatchObject({ error: { code: -32600 } });

    const noName = await post(
      JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'tools/call', params: {} }),
      session,
    );
    expect(noName.json()).toMatchObject({ id: 8, error: { code: -32602 } });

    const noSession = await post(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }));
    expect(noSession.status).toBe(400);
    expect(noSession.json()).toMatchObject({ error: { message: expect.stringContaining('Mcp-Session-Id') } });

    const bogusSession = await post(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'ping' }), {
      'mcp-session-id': 'mcp_not-a-session',
    });
    expect(bogusSession.status).toBe(404);

    const huge = await post(
      JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'ping', params: { pad: 'x'.repeat(5 * 1024 * 1024) } }),
      session,
    );
    expect(huge.status).toBe(413);

    const elsewhere = await post(INIT, {}, `${api.path}/other`);
    expect(elsewhere.status).toBe(404);
    const put = await call(world.gateway.url, api.path, { method: 'PUT', headers: key, body: INIT });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('GET, POST, DELETE');

    expect(upstream.requests.length).toBe(seenBefore);
    await world.usageSettled();
    const logs = await world.db.requestLog.findMany({ where: { apiId: api.provider.api.id } });
    expect(logs.every((row) => row.status < 500)).toBe(true);
  });
});
