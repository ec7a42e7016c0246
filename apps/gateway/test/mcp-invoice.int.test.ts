import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { closeDuePeriods } from '@portcullis/billing/invoicing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConsumerWithKey } from '../../../test/fixtures.ts';
import { startWorld, type TestWorld } from './harness.ts';
import { connectClient, seedMcpApi } from './mcp-harness.ts';

/**
 * The whole path of a paid tool call: an agent built with the official MCP client, given only an app
 * key, lists the tools of the API its app subscribed to and calls them; the calls are metered by the
 * gateway, rolled up, and billed on the consumer's invoice — priced tools at their own price, the other
 * tool calls as requests.
 */
describe('MCP tool calls on the invoice', () => {
  let world: TestWorld;
  let client: Client | undefined;

  beforeAll(async () => {
    world = await startWorld({ redis: false });
  });
  afterAll(async () => {
    await client?.close().catch(() => undefined);
    await world?.close();
  });

  it("bills an agent's tool calls: per-tool price for priced tools, the request price for the rest", async () => {
    const startedAt = Date.now();
    const provider = await seedMcpApi(world.db, { upstreamUrl: `${world.upstream.url}/base` });
    await world.db.plan.update({
      where: { id: provider.plan.id },
      data: {
        rateLimit: null,
        monthlyQuota: null,
        pricing: { model: 'per_unit', unitPrice: '0.01', toolPrices: { getItem: '0.25' } },
      },
    });
    const consumer = await seedConsumerWithKey(world.db, provider.plan.id);

    ({ client } = await connectClient(`${world.gateway.url}/mcp`, consumer.plaintext));
    const tools = (await client.listTools()).tools.map((tool) => tool.name);
    expect(tools).toContain(`${provider.api.slug}.getItem`);
    for (let i = 0; i < 3; i++) {
      const read = await client.callTool({
        name: `${provider.api.slug}.getItem`,
        arguments: { itemId: `i${i}` },
      });
      expect(read.isError).toBeFalsy();
    }
    for (let i = 0; i < 2; i++) {
      const made = await client.callTool({
        name: `${provider.api.slug}.createEcho`,
        arguments: { body: { name: 'x' } },
      });
      expect(made.isError).toBeFalsy();
    }
    await world.usageSettled();

    const subscription = await world.db.subscription.findUniqueOrThrow({
      where: { id: consumer.subscription.id },
    });
    const periodEnd = new Date(subscription.currentPeriodStart);
    periodEnd.setUTCMonth(periodEnd.getUTCMonth() + 1);
    await world.close(); // the gateway is gone: nothing more can arrive for the period
    // Usage sources of earlier test files (metering workers long stopped) would hold the period open.
    await world.db.usageWatermark.deleteMany({ where: { reportedAt: { lt: new Date(startedAt) } } });
    const closed = await closeDuePeriods(world.db, {
      now: new Date(periodEnd.getTime() + 60 * 60_000),
      watermarks: { gatewayGiveUpMs: 0 },
    });
    expect(closed.invoicesCreated, JSON.stringify(closed.held)).toBeGreaterThanOrEqual(1);

    const invoice = await world.db.invoice.findFirstOrThrow({
      where: { subscriptionId: consumer.subscription.id },
      include: { lines: true },
    });
    const lines = invoice.lines.map((line) => [line.kind, line.quantity, line.unitPrice, line.amountMinor]);
    // 5 tool calls are 5 billable requests; the 3 calls of getItem are billed at its tool price instead
    expect(lines).toEqual(
      expect.arrayContaining([
        ['tool_calls', 3n, '0.25', 75n],
        [expect.any(String), 2n, '0.01', 2n],
      ]),
    );
    expect(invoice.totalMinor).toBe(77n);
    expect(invoice.customerOrgId).toBe(consumer.org.id);
  });
});
