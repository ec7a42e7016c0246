import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConsumerWithKey } from '../../../test/fixtures.ts';
import { bearer, call, startWorld, type TestWorld } from './harness.ts';
import { seedMcpApi } from './mcp-harness.ts';

/** What an upstream learns about the client of a tools/call, next to a plain call by the same client. */
describe('MCP tool calls seen from the upstream, behind a trusted proxy', () => {
  let world: TestWorld;
  let provider: Awaited<ReturnType<typeof seedMcpApi>>;
  let key: string;
  const client = new Client({ name: 'review', version: '1.0.0' });
  const clientAddress = '203.0.113.7';

  beforeAll(async () => {
    world = await startWorld({ redis: false, trustedProxies: ['127.0.0.1/32', '::1/128'] });
    provider = await seedMcpApi(world.db, { upstreamUrl: `${world.upstream.url}/base` });
    key = (await seedConsumerWithKey(world.db, provider.plan.id)).plaintext;
    const url = `${world.gateway.url}/${provider.org.slug}/${provider.api.slug}/mcp`;
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { ...bearer(key), 'x-forwarded-for': clientAddress } },
      }),
    );
  });
  afterAll(async () => {
    await client.close().catch(() => undefined);
    await world?.close();
  });

  it("forwards the MCP client's address, as a plain call does, not the gateway's loopback", async () => {
    const path = `/${provider.org.slug}/${provider.api.slug}/items/plain`;
    let before = world.upstream.seen.length;
    await call(world.gateway.url, path, { headers: { ...bearer(key), 'x-forwarded-for': clientAddress } });
    const plain = world.upstream.seen[before]?.headers['x-forwarded-for'];
    expect(plain).toContain(clientAddress);

    before = world.upstream.seen.length;
    const result = await client.callTool({ name: 'getItem', arguments: { itemId: 'viaTool' } });
    expect(result.isError).toBeFalsy();
    const viaTool = world.upstream.seen[before]?.headers['x-forwarded-for'];
    // today: '127.0.0.1' (the loopback socket); the upstream never learns who called
    expect(viaTool).toContain(clientAddress);
  });
});
