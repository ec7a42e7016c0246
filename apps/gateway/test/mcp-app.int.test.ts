import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConsumerWithKey } from '../../../test/fixtures.ts';
import { call, eventually, notify, startWorld, type TestWorld } from './harness.ts';
import {
  connectClient,
  initializeMessage,
  mcpHeaders,
  OFFERED,
  seedMcpApi,
  toolsListMessage,
} from './mcp-harness.ts';

describe("an app's MCP server (/mcp)", () => {
  let world: TestWorld;
  let subscribed: Awaited<ReturnType<typeof seedMcpApi>>;
  let notSubscribed: Awaited<ReturnType<typeof seedMcpApi>>;
  const clients: Client[] = [];

  beforeAll(async () => {
    // A long TTL: only the NOTIFY can explain a change seen within seconds.
    world = await startWorld({ redis: true, configCacheTtlMs: 600_000 });
    subscribed = await seedMcpApi(world.db, { upstreamUrl: `${world.upstream.url}/base` });
    // another provider org's API, with MCP on, that the app never subscribed to
    notSubscribed = await seedMcpApi(world.db, { upstreamUrl: `${world.upstream.url}/other` });
  });
  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
    await world?.close();
  });

  const connect = async (key: string) => {
    const { client } = await connectClient(`${world.gateway.url}/mcp`, key);
    clients.push(client);
    return client;
  };
  const names = async (client: Client) => (await client.listTools()).tools.map((t) => t.name).sort();

  it("lists the tools of the APIs the app is actively subscribed to, and no other org's", async () => {
    const consumer = await seedConsumerWithKey(world.db, subscribed.plan.id);
    const client = await connect(consumer.plaintext);
    expect(await names(client)).toEqual(OFFERED.map((tool) => `${subscribed.api.slug}.${tool}`).sort());
    const result = await client.callTool({
      name: `${subscribed.api.slug}.getItem`,
      arguments: { itemId: 'via-app' },
    });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ url: '/base/items/via-app' });
    await expect(
      client.callTool({ name: `${notSubscribed.api.slug}.getItem`, arguments: { itemId: 'x' } }),
    ).rejects.toThrow(/Unknown tool/);
    expect(world.upstream.seen.some((seen) => seen.url.startsWith('/other'))).toBe(false);
    await world.usageSettled();
    await eventually(async () => {
      const rows = await world.db.requestLog.findMany({
        where: { apiId: subscribed.api.id, path: { endsWith: '/items/via-app' } },
      });
      return rows.length === 1 && rows[0]?.mcpTool === 'getItem' && rows[0].appId === consumer.app.id;
    }, 5_000);
  });

  it('drops the tools of a suspended or cancelled subscription and refuses their calls', async () => {
    const consumer = await seedConsumerWithKey(world.db, subscribed.plan.id);
    const second = await world.db.subscription.create({
      data: { appId: consumer.app.id, planId: notSubscribed.plan.id, status: 'ACTIVE' },
    });
    await notify(world.db, { kind: 'subscription', id: second.id });
    const client = await connect(consumer.plaintext);
    expect(await names(client)).toHaveLength(2 * OFFERED.length);

    for (const [subscriptionId, status] of [
      [consumer.subscription.id, 'SUSPENDED'],
      [second.id, 'CANCELLED'],
    ] as const) {
      await world.db.subscription.update({ where: { id: subscriptionId }, data: { status } });
      await notify(world.db, { kind: 'subscription', id: subscriptionId });
    }
    await eventually(async () => (await names(client)).length === 0, 2_000);
    const before = world.upstream.seen.length;
    await expect(
      client.callTool({ name: `${subscribed.api.slug}.getItem`, arguments: { itemId: 'gone' } }),
    ).rejects.toThrow(/Unknown tool/);
    expect(world.upstream.seen.length).toBe(before);
  });

  it("refuses an app session continued at an API's endpoint (another scope), and the other way round", async () => {
    const consumer = await seedConsumerWithKey(world.db, subscribed.plan.id);
    const apiPath = `/${subscribed.org.slug}/${subscribed.api.slug}/mcp`;
    const init = (path: string) =>
      call(world.gateway.url, path, {
        method: 'POST',
        headers: mcpHeaders(consumer.plaintext),
        body: initializeMessage,
      });
    const list = (path: string, sessionId: string) =>
      call(world.gateway.url, path, {
        method: 'POST',
        headers: mcpHeaders(consumer.plaintext, sessionId),
        body: toolsListMessage,
      });
    const appSession = String((await init('/mcp')).headers['mcp-session-id']);
    const apiSession = String((await init(apiPath)).headers['mcp-session-id']);
    expect((await list('/mcp', appSession)).status).toBe(200);
    expect((await list(apiPath, appSession)).status).toBe(404);
    expect((await list('/mcp', apiSession)).status).toBe(404);
  });
});
