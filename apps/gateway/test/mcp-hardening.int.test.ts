import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConsumerWithKey, seedProviderWithApi } from '../../../test/fixtures.ts';
import { SESSIONS_PER_MINUTE } from '../src/mcp/session-limit.ts';
import { call, startWorld, type TestWorld } from './harness.ts';
import { initializeMessage, mcpHeaders, seedMcpApi } from './mcp-harness.ts';

const toolCall = (name: string, args: Record<string, unknown> = {}) =>
  JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name, arguments: args } });

describe('MCP servers of REST APIs, hardened', () => {
  let world: TestWorld;

  beforeAll(async () => {
    world = await startWorld({ redis: false, upstreamTimeoutMs: 5_000 });
  });
  afterAll(async () => {
    await world?.close();
  });

  async function session(at: string, key: string, extra: Record<string, string> = {}): Promise<string> {
    const res = await call(world.gateway.url, at, {
      method: 'POST',
      headers: { ...mcpHeaders(key), ...extra },
      body: initializeMessage,
    });
    expect(res.status).toBe(200);
    return String(res.headers['mcp-session-id']);
  }

  it("tells the upstream the Host the MCP client used, as a plain call does, not the loopback's", async () => {
    const provider = await seedMcpApi(world.db, { upstreamUrl: `${world.upstream.url}/base` });
    const key = (await seedConsumerWithKey(world.db, provider.plan.id)).plaintext;
    const at = `/${provider.org.slug}/${provider.api.slug}/mcp`;
    const host = { host: 'api.portcullis.test' };
    const sessionId = await session(at, key, host);
    const before = world.upstream.seen.length;
    const answer = await call(world.gateway.url, at, {
      method: 'POST',
      headers: { ...mcpHeaders(key, sessionId), ...host },
      body: toolCall('getItem', { itemId: 'origin' }),
    });
    expect(answer.status).toBe(200);
    const seen = world.upstream.seen[before]?.headers;
    expect(seen?.['x-forwarded-host']).toBe('api.portcullis.test');
    expect(seen?.['x-forwarded-proto']).toBe('http');
  });

  it('lets one key have 16 tool calls in flight, answering the rest with a tool error', async () => {
    const slow = await seedProviderWithApi(world.db, {
      upstreamUrl: `${world.upstream.url}/base`,
      rateLimit: 10_000,
    });
    await world.db.api.update({
      where: { id: slow.api.id },
      data: {
        openapiSpec: {
          openapi: '3.1.0',
          info: { title: 'Slow', version: '1' },
          paths: { '/slow': { get: { operationId: 'wait', responses: { '200': { description: 'late' } } } } },
        },
        mcp: { enabled: true, tools: ['wait'] },
      },
    });
    const key = (await seedConsumerWithKey(world.db, slow.plan.id)).plaintext;
    const at = `/${slow.org.slug}/${slow.api.slug}/mcp`;
    const sessionId = await session(at, key);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        call(world.gateway.url, at, {
          method: 'POST',
          headers: mcpHeaders(key, sessionId),
          body: toolCall('wait'),
        }),
      ),
    );
    const refused = answers.filter((answer) => answer.text.includes('in flight for this key'));
    expect(refused).toHaveLength(4);
    for (const answer of refused) {
      expect(answer.status).toBe(200);
      expect((answer.json().result as { isError?: boolean }).isError).toBe(true);
    }
  }, 20_000);

  it("limits one key's new sessions per minute across its API's MCP server and its app's /mcp", async () => {
    const provider = await seedMcpApi(world.db, { upstreamUrl: `${world.upstream.url}/base` });
    const key = (await seedConsumerWithKey(world.db, provider.plan.id)).plaintext;
    const at = `/${provider.org.slug}/${provider.api.slug}/mcp`;
    for (let i = 0; i < SESSIONS_PER_MINUTE; i++) await session(i % 2 === 0 ? at : '/mcp', key);
    for (const path of [at, '/mcp']) {
      const refused = await call(world.gateway.url, path, {
        method: 'POST',
        headers: mcpHeaders(key),
        body: initializeMessage,
      });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.headers['mcp-session-id']).toBeUndefined();
      expect(refused.text).toContain('Too many new sessions');
    }
    // another key is not held to this one's count
    const other = (await seedConsumerWithKey(world.db, provider.plan.id)).plaintext;
    await session(at, other);
  }, 30_000);
});
