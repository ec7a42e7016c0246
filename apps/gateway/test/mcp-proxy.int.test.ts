import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { hashApiKey } from '@portcullis/core/keys';
import type { StreamUsageEvent } from '@portcullis/usage/stream';
import { afterAll, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest';
import { seedConsumerWithKey, seedProviderWithApi } from '../../../test/fixtures.ts';
import { UsageMeter } from '../src/usage/meter.ts';
import { bearer, call, eventually, notify, startWorld, type TestWorld } from './harness.ts';
import { type McpUpstream, startMcpUpstream } from './mcp-proxy-upstream.ts';

const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

async function seedMcpApi(world: TestWorld, upstreamUrl: string, rateLimit = 1000) {
  const provider = await seedProviderWithApi(world.db, { upstreamUrl, rateLimit });
  await world.db.api.update({
    where: { id: provider.api.id },
    data: { kind: 'MCP', mcp: { tools: ['echo', 'add', 'countdown'], allowAllTools: false } },
  });
  const consumer = await seedConsumerWithKey(world.db, provider.plan.id);
  return { provider, consumer, path: `/${provider.org.slug}/${provider.api.slug}/mcp` };
}

async function connect(base: string, path: string, key: string): Promise<Client> {
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${base}${path}`), {
    requestInit: { headers: bearer(key) },
  });
  await client.connect(transport);
  return client;
}

const sessionOf = (client: Client) => (client.transport as StreamableHTTPClientTransport).sessionId;

describe('MCP APIs: upstream MCP servers through the gateway', () => {
  let world: TestWorld;
  let upstream: McpUpstream;
  let api: Awaited<ReturnType<typeof seedMcpApi>>;
  let recordUsage: MockInstance<(event: StreamUsageEvent) => void>;
  const clients: Client[] = [];

  const usageOf = (subscriptionId: string) =>
    recordUsage.mock.calls.map(([event]) => event).filter((event) => event.subscriptionId === subscriptionId);

  beforeAll(async () => {
    recordUsage = vi.spyOn(UsageMeter.prototype, 'recordUsage') as never;
    world = await startWorld({ redis: false });
    upstream = await startMcpUpstream();
    api = await seedMcpApi(world, upstream.url);
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    await upstream?.close();
    await world?.close();
    recordUsage?.mockRestore();
  });

  it('initializes with a gateway session id and lists only the allowed tools', async () => {
    const client = await connect(world.gateway.url, api.path, api.consumer.plaintext);
    clients.push(client);
    const sessionId = sessionOf(client);
    expect(sessionId).toMatch(/^mcp_[A-Za-z0-9_-]{43}$/);
    expect(upstream.sessions).not.toContain(sessionId);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(['add', 'countdown', 'echo']);
    // the upstream sees its own session id and never the consumer's key
    const seen = upstream.requests.at(-1);
    expect(upstream.sessions).toContain(seen?.sessionId);
    expect(seen?.headers.authorization).toBeUndefined();
  });

  it('forwards an allowed tool call and refuses another without reaching the upstream', async () => {
    const client = await connect(world.gateway.url, api.path, api.consumer.plaintext);
    clients.push(client);
    const result = await client.callTool({ name: 'echo', arguments: { text: 'through the gate' } });
    expect(result.content).toEqual([{ type: 'text', text: 'through the gate' }]);
    const refused = await client.callTool({ name: 'secret', arguments: {} }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(McpError);
    expect((refused as McpError).code).toBe(-32602);
    expect((refused as McpError).message).toContain('"secret" is not available');
    expect(upstream.calls).not.toContain('secret');
  });

  it('meters each tool call with its tool; initialize, lists and notifications are not billable', async () => {
    const consumer = await seedConsumerWithKey(world.db, api.provider.plan.id);
    const client = await connect(world.gateway.url, api.path, consumer.plaintext);
    clients.push(client);
    await client.listTools();
    await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
    await client.callTool({ name: 'secret', arguments: {} }).catch(() => undefined);
    const subscriptionId = consumer.subscription.id;
    // initialize, notifications/initialized, tools/list, two calls (the GET stream ends with the client)
    await eventually(async () => usageOf(subscriptionId).length >= 5, 5_000);
    const events = usageOf(subscriptionId);
    expect(events.filter((event) => event.billable).map((event) => event.tool)).toEqual(['add']);
    expect(events.filter((event) => event.tool !== undefined).map((event) => event.tool)).toEqual([
      'add',
      'secret',
    ]);
    await world.gateway.flushUsage();
    const logs = await world.db.requestLog.findMany({
      where: { subscriptionId },
      orderBy: { at: 'asc' },
    });
    const add = logs.find((row) => row.mcpTool === 'add');
    const secret = logs.find((row) => row.mcpTool === 'secret');
    expect(add).toMatchObject({ status: 200, errorCode: null });
    expect(secret).toMatchObject({ status: 403, errorCode: 'mcp_tool_not_allowed' });
    expect(logs.filter((row) => row.mcpTool === null).length).toBeGreaterThanOrEqual(3);
  });

  it('relays a tool call answered as an event stream, progress notifications included', async () => {
    const client = await connect(world.gateway.url, api.path, api.consumer.plaintext);
    clients.push(client);
    const progress: number[] = [];
    const result = await client.callTool({ name: 'countdown', arguments: { from: 3 } }, undefined, {
      onprogress: (update) => progress.push(update.progress),
    });
    expect(progress).toEqual([1, 2, 3]);
    expect(result.content).toEqual([{ type: 'text', text: 'liftoff' }]);
  });

  it("passes the server's notification stream (GET) through", async () => {
    const client = await connect(world.gateway.url, api.path, api.consumer.plaintext);
    clients.push(client);
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      changed += 1;
    });
    const before = upstream.requests.length;
    await client.listTools();
    const upstreamSession = upstream.requests.slice(before).at(-1)?.sessionId ?? '';
    await eventually(
      async () => upstream.requests.some((r) => r.method === 'GET' && r.sessionId === upstreamSession),
      5_000,
    );
    // the stream is open upstream once its request arrived; give its head a moment to reach the client
    await new Promise((resolve) => setTimeout(resolve, 100));
    upstream.servers.get(upstreamSession)?.sendToolListChanged();
    await eventually(async () => changed === 1, 5_000);
  });

  it('binds a session to its key: another key gets 404 for it', async () => {
    const client = await connect(world.gateway.url, api.path, api.consumer.plaintext);
    clients.push(client);
    const other = await seedConsumerWithKey(world.db, api.provider.plan.id);
    const res = await call(world.gateway.url, api.path, {
      method: 'POST',
      headers: {
        ...MCP_HEADERS,
        ...bearer(other.plaintext),
        'mcp-session-id': sessionOf(client) ?? '',
        'mcp-protocol-version': '2025-06-18',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: -32001 } });
  });

  it('ends the session of a revoked key, here and upstream', async () => {
    const consumer = await seedConsumerWithKey(world.db, api.provider.plan.id);
    const client = await connect(world.gateway.url, api.path, consumer.plaintext);
    clients.push(client);
    const before = upstream.requests.length;
    await client.listTools();
    const upstreamSession = upstream.requests.slice(before).at(-1)?.sessionId;
    await world.db.apiKey.update({ where: { id: consumer.apiKey.id }, data: { revokedAt: new Date() } });
    await notify(world.db, { kind: 'key', hash: hashApiKey(consumer.plaintext) });
    await eventually(async () => {
      const refused = await client.listTools().then(
        () => false,
        (error: unknown) => String(error).includes('401'),
      );
      return refused;
    }, 5_000);
    await eventually(async () => upstream.deleted.includes(upstreamSession ?? ''), 5_000);
  });

  it('cuts an open notification stream when its key is revoked, without waiting for a request', async () => {
    const consumer = await seedConsumerWithKey(world.db, api.provider.plan.id);
    const client = await connect(world.gateway.url, api.path, consumer.plaintext);
    clients.push(client);
    const before = upstream.requests.length;
    await client.listTools();
    const upstreamSession = upstream.requests.slice(before).at(-1)?.sessionId ?? '';
    await eventually(
      async () => upstream.requests.some((r) => r.method === 'GET' && r.sessionId === upstreamSession),
      5_000,
    );
    const sent = upstream.requests.length;
    await world.db.apiKey.update({ where: { id: consumer.apiKey.id }, data: { revokedAt: new Date() } });
    await notify(world.db, { kind: 'key', hash: hashApiKey(consumer.plaintext) });
    await eventually(async () => upstream.deleted.includes(upstreamSession), 6_000);
    // the client sent nothing meanwhile but the reconnects of its stream, which the gateway refused
    expect(upstream.requests.slice(sent).every((r) => r.method === 'DELETE')).toBe(true);
    await world.gateway.flushUsage();
    await eventually(async () => {
      const logs = await world.db.requestLog.findMany({
        where: { keyId: consumer.apiKey.id, method: 'GET', errorCode: 'key_revoked', status: 200 },
      });
      return logs.length === 1;
    }, 5_000);
  });

  it('cuts an open notification stream when its subscription is suspended', async () => {
    const consumer = await seedConsumerWithKey(world.db, api.provider.plan.id);
    const client = await connect(world.gateway.url, api.path, consumer.plaintext);
    clients.push(client);
    const before = upstream.requests.length;
    await client.listTools();
    const upstreamSession = upstream.requests.slice(before).at(-1)?.sessionId ?? '';
    await eventually(
      async () => upstream.requests.some((r) => r.method === 'GET' && r.sessionId === upstreamSession),
      5_000,
    );
    await world.db.subscription.update({
      where: { id: consumer.subscription.id },
      data: { status: 'SUSPENDED', suspendedReason: 'manual' },
    });
    await notify(world.db, { kind: 'subscription', id: consumer.subscription.id });
    await eventually(async () => {
      await world.gateway.flushUsage();
      const logs = await world.db.requestLog.findMany({
        where: { keyId: consumer.apiKey.id, method: 'GET', errorCode: 'subscription_inactive' },
      });
      return logs.length === 1;
    }, 6_000);
  });

  it('ends a session on DELETE; the id is unknown afterwards', async () => {
    const client = await connect(world.gateway.url, api.path, api.consumer.plaintext);
    const sessionId = sessionOf(client) ?? '';
    const before = upstream.requests.length;
    await client.listTools();
    const upstreamSession = upstream.requests.slice(before).at(-1)?.sessionId ?? '';
    await (client.transport as StreamableHTTPClientTransport).terminateSession();
    await client.close();
    expect(upstream.deleted).toContain(upstreamSession);
    const res = await call(world.gateway.url, api.path, {
      method: 'POST',
      headers: { ...MCP_HEADERS, ...bearer(api.consumer.plaintext), 'mcp-session-id': sessionId },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    expect(res.status).toBe(404);
  });
});
