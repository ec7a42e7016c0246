import { describe, expect, it } from 'vitest';
import { consumerWithApp, db, expectTrpcError, member, providerWithPlan, uniq } from '../../test/harness';

async function mcpApi(orgId: string, mcp: object) {
  const api = await db.api.create({
    data: {
      orgId,
      slug: uniq('tools'),
      name: 'Tools',
      kind: 'MCP',
      upstreamUrl: 'http://127.0.0.1:9/mcp',
      mcp,
    },
  });
  const plan = await db.plan.create({ data: { apiId: api.id, name: 'Basic' } });
  await db.api.update({ where: { id: api.id }, data: { status: 'PUBLISHED' } });
  return { api, plan };
}

describe('app.mcp', () => {
  it('lists the APIs whose tools the app’s key reaches at the gateway’s /mcp', async () => {
    const p = await providerWithPlan();
    const c = await consumerWithApp();
    const open = await mcpApi(p.org.id, { allowAllTools: true });
    const listed = await mcpApi(p.org.id, { tools: ['search'] });
    const pending = await mcpApi(p.org.id, { allowAllTools: true });
    const draft = await mcpApi(p.org.id, { allowAllTools: true });
    await db.api.update({ where: { id: draft.api.id }, data: { status: 'DRAFT' } });
    await db.api.update({ where: { id: p.api.id }, data: { mcp: { enabled: true, tools: ['listOrders'] } } });
    const subscribe = (planId: string, status: 'ACTIVE' | 'PENDING' = 'ACTIVE') =>
      db.subscription.create({ data: { appId: c.app.id, planId, status } });
    await subscribe(p.plan.id);
    await subscribe(open.plan.id);
    await subscribe(listed.plan.id);
    await subscribe(pending.plan.id, 'PENDING');
    await subscribe(draft.plan.id);

    const reach = await c.caller.app.mcp({ orgSlug: c.org.slug, appId: c.app.id });
    expect(reach.url).toMatch(/\/mcp$/);
    expect(reach.apis.map(({ url, ...api }) => api)).toEqual([
      {
        apiName: 'Weather',
        apiSlug: p.api.slug,
        providerSlug: p.org.slug,
        kind: 'REST',
        tools: ['listOrders'],
      },
      { apiName: 'Tools', apiSlug: open.api.slug, providerSlug: p.org.slug, kind: 'MCP', tools: null },
      {
        apiName: 'Tools',
        apiSlug: listed.api.slug,
        providerSlug: p.org.slug,
        kind: 'MCP',
        tools: ['search'],
      },
    ]);

    expect(reach.apis[1]?.url).toMatch(new RegExp(`/${p.org.slug}/${open.api.slug}/mcp$`));
    // A REST API with MCP off offers no tools.
    await db.api.update({ where: { id: p.api.id }, data: { mcp: {} } });
    const after = await c.caller.app.mcp({ orgSlug: c.org.slug, appId: c.app.id });
    expect(after.apis.map((a) => a.apiSlug)).toEqual([open.api.slug, listed.api.slug]);
  });

  it('lists an AI API’s chat tool and a prompt API’s run tool while their MCP is on', async () => {
    const p = await providerWithPlan();
    const c = await consumerWithApp();
    const target = { credentialId: 'c1', model: 'gpt-4o-mini' };
    const kinds = [
      ['AI', { routes: [{ name: 'fast', targets: [target] }] }, { enabled: true, tools: ['fast'] }],
      ['AI', { routes: [{ name: 'fast', targets: [target] }] }, { enabled: true, tools: ['renamed'] }],
      ['PROMPT', {}, { enabled: true }],
      ['PROMPT', {}, { enabled: false }],
    ] as const;
    const apis = [];
    for (const [kind, ai, mcp] of kinds) {
      const api = await db.api.create({
        data: {
          orgId: p.org.id,
          slug: uniq(kind.toLowerCase()),
          name: kind,
          kind,
          upstreamUrl: 'http://127.0.0.1:9/',
          ai,
          mcp,
        },
      });
      const plan = await db.plan.create({ data: { apiId: api.id, name: 'Basic' } });
      await db.api.update({ where: { id: api.id }, data: { status: 'PUBLISHED' } });
      await db.subscription.create({ data: { appId: c.app.id, planId: plan.id, status: 'ACTIVE' } });
      apis.push(api);
    }
    const reach = await c.caller.app.mcp({ orgSlug: c.org.slug, appId: c.app.id });
    expect(reach.apis.map((a) => [a.apiSlug, a.kind, a.tools])).toEqual([
      [apis[0]?.slug, 'AI', ['chat']],
      [apis[2]?.slug, 'PROMPT', ['run']],
    ]);
  });

  it('answers NOT_FOUND for another tenant’s app', async () => {
    const victim = await consumerWithApp();
    const attacker = await member();
    await expectTrpcError(
      attacker.caller.app.mcp({ orgSlug: attacker.org.slug, appId: victim.app.id }),
      'NOT_FOUND',
    );
    await expectTrpcError(
      attacker.caller.app.mcp({ orgSlug: victim.org.slug, appId: victim.app.id }),
      'NOT_FOUND',
    );
  });
});
