import { describe, expect, it } from 'vitest';
import {
  addMember,
  db,
  expectTrpcError,
  listenConfig,
  member,
  providerWithPlan,
  uniq,
} from '../../test/harness';

const SPEC = {
  openapi: '3.1.0',
  info: { title: 'Orders', version: '1' },
  paths: {
    '/orders': {
      get: { operationId: 'listOrders', summary: 'List orders' },
      post: { operationId: 'createOrder', description: 'Create an order' },
    },
    '/orders/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      get: { operationId: 'get order' },
      delete: {},
    },
  },
};

async function providerWithSpec() {
  const p = await providerWithPlan();
  const base = { orgSlug: p.org.slug, apiId: p.api.id };
  await p.caller.policy.setOpenApiSpec({ ...base, document: JSON.stringify(SPEC) });
  return { ...p, base };
}

const fieldsOf = (error: { cause?: unknown }) => (error.cause as { fields?: Record<string, string> }).fields;

describe('policy: MCP config', () => {
  it('lists the documented operations, saves the chosen ones, audits and notifies', async () => {
    const p = await providerWithSpec();
    const before = await p.caller.policy.mcp({ orgSlug: p.org.slug, apiSlug: p.api.slug });
    expect(before).toMatchObject({
      kind: 'REST',
      canWrite: true,
      hasOpenApiSpec: true,
      config: { enabled: false, tools: [], allowAllTools: false },
    });
    expect(before.mcpUrl).toMatch(new RegExp(`/${p.org.slug}/${p.api.slug}/mcp$`));
    expect(before.tools.map((t) => [t.name, t.method, t.path, t.description])).toEqual([
      ['listOrders', 'GET', '/orders', 'List orders'],
      ['createOrder', 'POST', '/orders', 'Create an order'],
      ['get_order', 'GET', '/orders/{id}', expect.any(String)],
      ['delete_orders_id', 'DELETE', '/orders/{id}', expect.any(String)],
    ]);
    expect(before.tools[2]?.inputSchema).toMatchObject({ type: 'object', required: ['id'] });

    const listener = await listenConfig();
    try {
      await p.caller.policy.updateMcp({
        ...p.base,
        enabled: true,
        tools: ['listOrders', 'createOrder', 'listOrders'],
      });
      expect(await listener.next((c) => c.kind === 'api' && 'id' in c && c.id === p.api.id)).toBeTruthy();
    } finally {
      await listener.close();
    }
    expect(await db.api.findUniqueOrThrow({ where: { id: p.api.id } })).toMatchObject({
      mcp: { enabled: true, tools: ['listOrders', 'createOrder'], allowAllTools: false },
    });
    const audit = await db.auditLog.findFirst({ where: { action: 'api.updateMcp', targetId: p.api.id } });
    expect(audit).toMatchObject({ orgId: p.org.id, actorId: p.user.id, after: { enabled: true } });
  });

  it('refuses operations the document does not have, with a field error per entry', async () => {
    const p = await providerWithSpec();
    const unknown = await expectTrpcError(
      p.caller.policy.updateMcp({ ...p.base, enabled: true, tools: ['listOrders', 'deleteEverything'] }),
      'BAD_REQUEST',
    );
    expect(fieldsOf(unknown)).toEqual({
      'tools.1': 'The OpenAPI document has no operation for tool "deleteEverything"',
    });
    const allowAll = await expectTrpcError(
      p.caller.policy.updateMcp({ ...p.base, enabled: true, allowAllTools: true }),
      'BAD_REQUEST',
    );
    expect(fieldsOf(allowAll)).toHaveProperty('allowAllTools');
    const none = await expectTrpcError(
      p.caller.policy.updateMcp({ ...p.base, enabled: true }),
      'BAD_REQUEST',
    );
    expect(fieldsOf(none)).toHaveProperty('tools');
    // Not a tool name at all (the tool of operationId "get order" is get_order): refused by the schema.
    await expectTrpcError(p.caller.policy.updateMcp({ ...p.base, tools: ['get order'] }), 'BAD_REQUEST');
    // Without a document there is nothing to offer.
    await p.caller.policy.setOpenApiSpec({ ...p.base, document: null });
    await expectTrpcError(p.caller.policy.updateMcp({ ...p.base, tools: ['listOrders'] }), 'BAD_REQUEST');
    expect(await db.api.findUniqueOrThrow({ where: { id: p.api.id } })).toMatchObject({ mcp: {} });
  });

  it('keeps an MCP API’s allow-list of upstream tools, or lets every tool through', async () => {
    const p = await providerWithPlan();
    const api = await db.api.create({
      data: {
        orgId: p.org.id,
        slug: uniq('mcp'),
        name: 'Tools',
        kind: 'MCP',
        upstreamUrl: 'http://127.0.0.1:9/mcp',
      },
    });
    const base = { orgSlug: p.org.slug, apiId: api.id };
    await p.caller.policy.updateMcp({ ...base, enabled: true, tools: ['search', 'fetch_page'] });
    await p.caller.policy.updateMcp({ ...base, enabled: true, allowAllTools: true });
    const config = await p.caller.policy.mcp({ orgSlug: p.org.slug, apiSlug: api.slug });
    expect(config).toMatchObject({ kind: 'MCP', tools: [], config: { allowAllTools: true } });
  });

  it("offers an AI API's chosen model routes and a prompt API's one tool", async () => {
    const p = await providerWithPlan();
    const target = { credentialId: 'c1', model: 'gpt-4o-mini' };
    const ai = await db.api.create({
      data: {
        orgId: p.org.id,
        slug: uniq('ai'),
        name: 'Models',
        kind: 'AI',
        upstreamUrl: 'http://127.0.0.1:9/',
        ai: {
          routes: [
            { name: 'fast', targets: [target] },
            { name: 'smart', targets: [target] },
          ],
        },
      },
    });
    const base = { orgSlug: p.org.slug, apiId: ai.id };
    const view = await p.caller.policy.mcp({ orgSlug: p.org.slug, apiSlug: ai.slug });
    expect(view).toMatchObject({ kind: 'AI', models: ['fast', 'smart'] });
    expect(view.tools.map((t) => [t.name, t.path])).toEqual([['chat', '/v1/chat/completions']]);
    const none = await expectTrpcError(p.caller.policy.updateMcp({ ...base, enabled: true }), 'BAD_REQUEST');
    expect(fieldsOf(none)).toEqual({ tools: 'Choose at least one model route to offer' });
    const unknown = await expectTrpcError(
      p.caller.policy.updateMcp({ ...base, enabled: true, tools: ['fast', 'huge'] }),
      'BAD_REQUEST',
    );
    expect(fieldsOf(unknown)).toEqual({ 'tools.1': 'The API has no model route "huge"' });
    await p.caller.policy.updateMcp({ ...base, enabled: true, tools: ['smart'] });
    expect(await db.api.findUniqueOrThrow({ where: { id: ai.id } })).toMatchObject({
      mcp: { enabled: true, tools: ['smart'] },
    });

    const prompt = await db.api.create({
      data: {
        orgId: p.org.id,
        slug: uniq('pr'),
        name: 'Summary',
        kind: 'PROMPT',
        upstreamUrl: 'http://127.0.0.1:9/',
      },
    });
    const promptBase = { orgSlug: p.org.slug, apiId: prompt.id };
    // nothing to offer before the prompt is saved
    const unset = await expectTrpcError(
      p.caller.policy.updateMcp({ ...promptBase, enabled: true }),
      'BAD_REQUEST',
    );
    expect(fieldsOf(unset)).toHaveProperty('enabled');
    await db.api.update({
      where: { id: prompt.id },
      data: {
        ai: {
          model: 'fast',
          routes: [{ name: 'fast', targets: [target] }],
          user: 'Summarise {{text}}',
          inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
        },
      },
    });
    const promptView = await p.caller.policy.mcp({ orgSlug: p.org.slug, apiSlug: prompt.slug });
    expect(promptView.tools.map((t) => [t.name, t.inputSchema])).toEqual([
      ['run', { type: 'object', properties: { text: { type: 'string' } } }],
    ]);
    const listed = await expectTrpcError(
      p.caller.policy.updateMcp({ ...promptBase, enabled: true, tools: ['run'] }),
      'BAD_REQUEST',
    );
    expect(fieldsOf(listed)).toHaveProperty('tools');
    await p.caller.policy.updateMcp({ ...promptBase, enabled: true });
    expect(await db.api.findUniqueOrThrow({ where: { id: prompt.id } })).toMatchObject({
      mcp: { enabled: true, tools: [] },
    });
  });

  it('lets lower roles read but not change it', async () => {
    const p = await providerWithSpec();
    for (const role of ['DEVELOPER', 'VIEWER'] as const) {
      const { caller } = await addMember(p.org.id, role);
      const read = await caller.policy.mcp({ orgSlug: p.org.slug, apiSlug: p.api.slug });
      expect(read.canWrite).toBe(false);
      await expectTrpcError(caller.policy.updateMcp({ ...p.base, enabled: false }), 'FORBIDDEN');
    }
    const { caller } = await addMember(p.org.id, 'ADMIN');
    await caller.policy.updateMcp({ ...p.base, enabled: true, tools: ['listOrders'] });
  });

  it('answers NOT_FOUND for another tenant’s API, by slug or by id', async () => {
    const victim = await providerWithSpec();
    const attacker = await member('OWNER', 'attacker');
    const org = { orgSlug: attacker.org.slug };
    await expectTrpcError(
      attacker.caller.policy.mcp({ orgSlug: victim.org.slug, apiSlug: victim.api.slug }),
      'NOT_FOUND',
    );
    await expectTrpcError(attacker.caller.policy.mcp({ ...org, apiSlug: victim.api.slug }), 'NOT_FOUND');
    await expectTrpcError(
      attacker.caller.policy.updateMcp({
        ...org,
        apiId: victim.api.id,
        enabled: true,
        tools: ['listOrders'],
      }),
      'NOT_FOUND',
    );
    expect(await db.api.findUniqueOrThrow({ where: { id: victim.api.id } })).toMatchObject({ mcp: {} });
  });
});
