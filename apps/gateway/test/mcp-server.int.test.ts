import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { hashApiKey } from '@portcullis/core/keys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConsumerWithKey } from '../../../test/fixtures.ts';
import { bearer, call, eventually, notify, startWorld, type TestWorld } from './harness.ts';
import {
  connectClient,
  initializeMessage,
  mcpHeaders,
  OFFERED,
  seedMcpApi,
  toolsListMessage,
} from './mcp-harness.ts';

type CallResult = Awaited<ReturnType<Client['callTool']>>;
const textOf = (result: CallResult) =>
  (result.content as { type: string; text?: string }[]).map((part) => part.text ?? '').join('\n');

describe("a REST API's MCP server", () => {
  let world: TestWorld;
  let provider: Awaited<ReturnType<typeof seedMcpApi>>;
  let key: string;
  let url: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    world = await startWorld({ redis: true });
    provider = await seedMcpApi(world.db, { upstreamUrl: `${world.upstream.url}/base` });
    key = (await seedConsumerWithKey(world.db, provider.plan.id)).plaintext;
    url = `${world.gateway.url}/${provider.org.slug}/${provider.api.slug}/mcp`;
  });
  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
    await world?.close();
  });

  const connect = async (withKey = key, at = url) => {
    const { client } = await connectClient(at, withKey);
    clients.push(client);
    return client;
  };

  it('initializes and lists only the operations the provider selected', async () => {
    const client = await connect();
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...OFFERED].sort());
    expect(tools.find((t) => t.name === 'getItem')?.outputSchema).toMatchObject({ type: 'object' });
  });

  it('calls a tool through the chain: encoded arguments, structured output, key never forwarded', async () => {
    const client = await connect();
    await client.listTools();
    const before = world.upstream.seen.length;
    const result = await client.callTool({ name: 'getItem', arguments: { itemId: 'a b', q: 'x&y' } });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ method: 'GET', url: '/base/items/a%20b?q=x%26y' });
    const seen = world.upstream.seen.slice(before);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.headers.authorization).toBeUndefined();
    expect(Object.keys(seen[0]?.headers ?? {}).filter((h) => h.startsWith('x-portcullis'))).toEqual([]);
  });

  it('sends the JSON body of a tool with one', async () => {
    const client = await connect();
    const result = await client.callTool({ name: 'createEcho', arguments: { body: { name: 'n' } } });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toContain('"method":"POST"');
    expect(textOf(result)).toContain('{\\"name\\":\\"n\\"}');
  });

  it("answers the API's 4xx and 5xx as tool errors with the status", async () => {
    const client = await connect();
    for (const code of [404, 500]) {
      const result = await client.callTool({ name: 'getStatus', arguments: { code } });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain(`HTTP ${code}`);
    }
  });

  it('names the argument that does not fit, and sends nothing', async () => {
    const client = await connect();
    const before = world.upstream.seen.length;
    const missing = await client.callTool({ name: 'getItem', arguments: {} });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toContain("'itemId'");
    const wrongType = await client.callTool({ name: 'getStatus', arguments: { code: 'abc' } });
    expect(wrongType.isError).toBe(true);
    expect(textOf(wrongType)).toContain("'code'");
    expect(world.upstream.seen.length).toBe(before);
  });

  it('keeps traversal attempts in path arguments inside the API', async () => {
    const client = await connect();
    const before = world.upstream.seen.length;
    for (const itemId of ['..', '.', '../../secret', '%2e%2e', '..;', '..;x', '%252e%252e']) {
      const result = await client.callTool({ name: 'getItem', arguments: { itemId } });
      expect(result.isError, itemId).toBe(true);
    }
    // an id that only looks like a path after decoding twice is one literal segment of the item path
    const literal = await client.callTool({ name: 'getItem', arguments: { itemId: '%2e%2e%2fsecret' } });
    expect(literal.structuredContent).toMatchObject({ url: '/base/items/%252e%252e%252fsecret' });
    const seen = world.upstream.seen.slice(before);
    expect(seen.map((s) => s.url)).toEqual(['/base/items/%252e%252e%252fsecret']);
  });

  it('records the tool on the request-log row of the call, not on protocol messages', async () => {
    const client = await connect();
    await client.callTool({ name: 'getItem', arguments: { itemId: 'logged' } });
    await world.usageSettled();
    await eventually(async () => {
      const rows = await world.db.requestLog.findMany({
        where: { apiId: provider.api.id, path: { endsWith: '/items/logged' } },
      });
      return rows.length === 1 && rows[0]?.mcpTool === 'getItem' && rows[0].status === 200;
    }, 5_000);
    const protocolRows = await world.db.requestLog.findMany({
      where: { apiId: provider.api.id, path: { endsWith: '/mcp' } },
    });
    expect(protocolRows.length).toBeGreaterThan(0);
    expect(protocolRows.every((row) => row.mcpTool === null)).toBe(true);
  });

  it('ignores a tool header forged by a client and never forwards it', async () => {
    const before = world.upstream.seen.length;
    const path = `/${provider.org.slug}/${provider.api.slug}/items/forged`;
    const res = await call(world.gateway.url, path, {
      headers: {
        ...bearer(key),
        'x-portcullis-mcp-tool': 'getItem',
        'x-portcullis-internal': 'a'.repeat(64),
        'x-portcullis-client-ip': '10.9.8.7',
      },
    });
    expect(res.status).toBe(200);
    const seen = world.upstream.seen.slice(before);
    expect(Object.keys(seen[0]?.headers ?? {}).filter((h) => h.startsWith('x-portcullis'))).toEqual([]);
    await world.usageSettled();
    await eventually(async () => {
      const rows = await world.db.requestLog.findMany({ where: { path } });
      return rows.length === 1 && rows[0]?.mcpTool === null && rows[0].clientIp !== '10.9.8.7';
    }, 5_000);
  });

  it('refuses a session continued with another key (404), and one it does not know', async () => {
    const other = (await seedConsumerWithKey(world.db, provider.plan.id)).plaintext;
    const opened = await call(world.gateway.url, new URL(url).pathname, {
      method: 'POST',
      headers: mcpHeaders(key),
      body: initializeMessage,
    });
    expect(opened.status).toBe(200);
    const sessionId = String(opened.headers['mcp-session-id']);
    expect(sessionId).toMatch(/^mcp_/);
    const path = new URL(url).pathname;
    const same = await call(world.gateway.url, path, {
      method: 'POST',
      headers: mcpHeaders(key, sessionId),
      body: toolsListMessage,
    });
    expect(same.status).toBe(200);
    const stolen = await call(world.gateway.url, path, {
      method: 'POST',
      headers: mcpHeaders(other, sessionId),
      body: toolsListMessage,
    });
    expect(stolen.status).toBe(404);
    const unknown = await call(world.gateway.url, path, {
      method: 'POST',
      headers: mcpHeaders(key, `mcp_${'x'.repeat(43)}`),
      body: toolsListMessage,
    });
    expect(unknown.status).toBe(404);
    const missing = await call(world.gateway.url, path, {
      method: 'POST',
      headers: mcpHeaders(key),
      body: toolsListMessage,
    });
    expect(missing.status).toBe(400);
    // DELETE ends it: the next message is told to start over
    expect(
      (await call(world.gateway.url, path, { method: 'DELETE', headers: mcpHeaders(key, sessionId) })).status,
    ).toBe(204);
    const ended = await call(world.gateway.url, path, {
      method: 'POST',
      headers: mcpHeaders(key, sessionId),
      body: toolsListMessage,
    });
    expect(ended.status).toBe(404);
  });

  it('answers garbage, batches and GET with clear errors, never a 5xx', async () => {
    const path = new URL(url).pathname;
    const post = (body: string) =>
      call(world.gateway.url, path, { method: 'POST', headers: mcpHeaders(key), body });
    const garbage = await post('{not json');
    expect(garbage.status).toBe(400);
    expect(garbage.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 } });
    const batch = await post(`[${initializeMessage}]`);
    expect(batch.status).toBe(400);
    expect(batch.json()).toMatchObject({ error: { code: -32600 } });
    expect((await post('42')).status).toBe(400);
    expect((await post('{"jsonrpc":"2.0","id":1,"method":"initialize","params":"x"}')).status).toBeLessThan(
      500,
    );
    const huge = await post(
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', pad: 'x'.repeat(2 * 1024 * 1024) }),
    );
    expect(huge.status).toBe(413);
    const get = await call(world.gateway.url, path, {
      headers: { ...bearer(key), accept: 'text/event-stream' },
    });
    expect(get.status).toBe(405);
    const noKey = await call(world.gateway.url, path, {
      method: 'POST',
      headers: { accept: 'application/json, text/event-stream', 'content-type': 'application/json' },
      body: initializeMessage,
    });
    expect(noKey.status).toBe(401);
  });

  it('refuses a key revoked mid-session within the invalidation time, and ends its session', async () => {
    const consumer = await seedConsumerWithKey(world.db, provider.plan.id);
    const client = await connect(consumer.plaintext);
    expect((await client.listTools()).tools.length).toBe(OFFERED.length);
    const path = new URL(url).pathname;
    const opened = await call(world.gateway.url, path, {
      method: 'POST',
      headers: mcpHeaders(consumer.plaintext),
      body: initializeMessage,
    });
    const sessionId = String(opened.headers['mcp-session-id']);
    const list = () =>
      call(world.gateway.url, path, {
        method: 'POST',
        headers: mcpHeaders(consumer.plaintext, sessionId),
        body: toolsListMessage,
      });
    expect((await list()).status).toBe(200);

    const setRevoked = async (revokedAt: Date | null) => {
      await world.db.apiKey.update({ where: { id: consumer.apiKey.id }, data: { revokedAt } });
      await notify(world.db, { kind: 'key', hash: hashApiKey(consumer.plaintext) });
    };
    await setRevoked(new Date());
    await eventually(async () => {
      try {
        await client.listTools();
        return false;
      } catch (error) {
        return String(error).includes('401');
      }
    }, 2_000);
    expect((await list()).status).toBe(401);
    // Even were the key valid again, the session it had open is over.
    await setRevoked(null);
    await eventually(async () => (await list()).status === 404, 2_000);
  });

  it("refuses an operation at the API's own /mcp path instead of calling MCP again", async () => {
    const looping = await seedMcpApi(world.db, { upstreamUrl: `${world.upstream.url}/base` });
    const spec = {
      openapi: '3.0.3',
      info: { title: 'loop', version: '1' },
      paths: { '/mcp': { post: { operationId: 'postMcp', responses: { '200': { description: 'ok' } } } } },
    };
    await world.db.api.update({
      where: { id: looping.api.id },
      data: { openapiSpec: spec, mcp: { enabled: true, tools: ['postMcp'] } },
    });
    const consumer = await seedConsumerWithKey(world.db, looping.plan.id);
    const client = await connect(
      consumer.plaintext,
      `${world.gateway.url}/${looping.org.slug}/${looping.api.slug}/mcp`,
    );
    const result = await client.callTool({ name: 'postMcp', arguments: {} });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('MCP endpoint');
  });

  it("serves MCP on a read-only API; the API's method allow-list still governs its tool calls", async () => {
    const readOnly = await seedMcpApi(world.db, { upstreamUrl: `${world.upstream.url}/base` });
    await world.db.api.update({
      where: { id: readOnly.api.id },
      data: { policies: { allowedMethods: ['GET'] } },
    });
    const consumer = await seedConsumerWithKey(world.db, readOnly.plan.id);
    const client = await connect(
      consumer.plaintext,
      `${world.gateway.url}/${readOnly.org.slug}/${readOnly.api.slug}/mcp`,
    );
    const read = await client.callTool({ name: 'getItem', arguments: { itemId: 'r' } });
    expect(read.isError).toBeFalsy();
    const write = await client.callTool({ name: 'createEcho', arguments: { body: {} } });
    expect(write.isError).toBe(true);
    expect(textOf(write)).toContain('method_not_allowed');
  });

  it("is not there while MCP is off: the path is the API's own again", async () => {
    const plain = await seedMcpApi(world.db, { upstreamUrl: `${world.upstream.url}/base` });
    await world.db.api.update({
      where: { id: plain.api.id },
      data: { mcp: { enabled: false, tools: OFFERED } },
    });
    const consumer = await seedConsumerWithKey(world.db, plain.plan.id);
    const res = await call(world.gateway.url, `/${plain.org.slug}/${plain.api.slug}/mcp`, {
      method: 'POST',
      headers: mcpHeaders(consumer.plaintext),
      body: initializeMessage,
    });
    expect(res.json()).toMatchObject({ url: '/base/mcp' }); // the upstream's echo
  });
});

describe('rate limits on MCP tool calls', () => {
  let world: TestWorld;

  beforeAll(async () => {
    world = await startWorld({ redis: true });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('spends limits on tools/call only, and answers a 429 as a tool error with the retry advice', async () => {
    const provider = await seedMcpApi(world.db, {
      upstreamUrl: `${world.upstream.url}/base`,
      rateLimit: 2,
      rateLimitWindowSeconds: 60,
    });
    const consumer = await seedConsumerWithKey(world.db, provider.plan.id);
    const key = consumer.plaintext;
    const { client } = await connectClient(
      `${world.gateway.url}/${provider.org.slug}/${provider.api.slug}/mcp`,
      key,
    );
    try {
      // protocol messages spend nothing
      for (let i = 0; i < 5; i++) await client.listTools();
      await client.ping();
      for (let i = 0; i < 2; i++) {
        const ok = await client.callTool({ name: 'getItem', arguments: { itemId: String(i) } });
        expect(ok.isError).toBeFalsy();
      }
      const limited = await client.callTool({ name: 'getItem', arguments: { itemId: 'over' } });
      expect(limited.isError).toBe(true);
      expect(textOf(limited)).toMatch(/HTTP 429\)\. Retry after \d+ seconds/);
      // metered exactly once per admitted call; protocol messages never
      await world.usageSettled();
      await eventually(async () => {
        const rollups = await world.db.usageRollup.findMany({
          where: { subscriptionId: consumer.subscription.id },
        });
        return rollups.reduce((sum, r) => sum + Number(r.requests), 0) === 2;
      }, 5_000);
      const rollups = await world.db.usageRollup.findMany({
        where: { subscriptionId: consumer.subscription.id },
      });
      expect(rollups.reduce((sum, r) => sum + Number(r.billable), 0)).toBe(2);
    } finally {
      await client.close();
    }
  });
});
