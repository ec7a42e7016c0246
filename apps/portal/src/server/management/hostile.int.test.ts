import { describe, expect, it } from 'vitest';
import { seedTenantWorld } from '../security/test/world';
import { db, uniq } from '../test/harness';
import { MANAGEMENT_ENDPOINTS } from './table';
import { ENDPOINT_CASES } from './test/cases';
import { managementClient, tokenFor } from './test/client';

/**
 * The management API attacked from outside: a token whose role is below its creator's, a holder of a
 * leaked token, and clients sending hostile input.
 */
const call = managementClient(db);
const PROBLEM = 'application/problem+json';

describe('a token never acts above its own role', () => {
  // An OWNER hands out an ADMIN token: the owner-only member rules must hold against the token's role,
  // not against the role of the person who made it.
  async function adminTokenOfOwner() {
    const world = await seedTenantWorld(db);
    const admin = await tokenFor(db, world.provider.id, world.provider.members.OWNER, 'ADMIN', [
      'members:write',
    ]);
    return { world, token: admin.token };
  }

  it('cannot make someone an owner', async () => {
    const { world, token } = await adminTokenOfOwner();
    const answer = await call(token, 'PATCH', `/members/${world.provider.bystanderId}`, {
      body: { role: 'OWNER' },
    });
    expect(answer.status, answer.text).toBe(403);
    const membership = await db.membership.findFirstOrThrow({
      where: { orgId: world.provider.id, userId: world.provider.bystanderId },
    });
    expect(membership.role).toBe('VIEWER');
  });

  it('cannot remove or demote an owner', async () => {
    const { world, token } = await adminTokenOfOwner();
    const demote = await call(token, 'PATCH', `/members/${world.provider.coOwnerId}`, {
      body: { role: 'VIEWER' },
    });
    expect(demote.status, demote.text).toBe(403);
    const remove = await call(token, 'DELETE', `/members/${world.provider.coOwnerId}`);
    expect(remove.status, remove.text).toBe(403);
    const coOwner = await db.membership.findFirst({
      where: { orgId: world.provider.id, userId: world.provider.coOwnerId },
    });
    expect(coOwner?.role).toBe('OWNER');
  });

  it('cannot invite an owner', async () => {
    const { world, token } = await adminTokenOfOwner();
    const email = `${uniq('owner')}@example.test`;
    const answer = await call(token, 'POST', '/invitations', { body: { email, role: 'OWNER' } });
    expect(answer.status, answer.text).toBe(403);
    expect(await db.invitation.count({ where: { orgId: world.provider.id, email } })).toBe(0);
  });

  it('still lets an OWNER token use the owner rules', async () => {
    const world = await seedTenantWorld(db);
    const owner = await tokenFor(db, world.provider.id, world.provider.members.OWNER, 'OWNER', [
      'members:write',
    ]);
    const answer = await call(owner.token, 'PATCH', `/members/${world.provider.bystanderId}`, {
      body: { role: 'OWNER' },
    });
    expect(answer.status, answer.text).toBe(200);
  });
});

describe('every write through a token is audited with the token', () => {
  const writes = MANAGEMENT_ENDPOINTS.filter((endpoint) => endpoint.method !== 'GET');

  it.each(writes.map((endpoint) => [endpoint.id, endpoint] as const))('%s', async (_id, endpoint) => {
    const testCase = ENDPOINT_CASES[endpoint.id];
    if (!testCase) throw new Error(`no case for ${endpoint.id}`);
    const world = await seedTenantWorld(db);
    const side = world[testCase.side];
    const request = await testCase.request(world, db);
    const { id, token } = await tokenFor(db, side.id, side.members.OWNER, 'OWNER', [
      endpoint.scope,
      ...(testCase.extraScopes ?? []),
    ]);
    const answer = await call(token, endpoint.method, request.path, request);
    expect(answer.status, answer.text).toBe(endpoint.status ?? 200);
    const rows = await db.auditLog.findMany({ where: { apiTokenId: id } });
    expect(rows.length, `${endpoint.id} left no audit row naming the token`).toBeGreaterThan(0);
    for (const row of rows) expect(row.actorId).toBe(side.members.OWNER);
  });

  it('leaves no audit row for a config.apply dry run', async () => {
    const world = await seedTenantWorld(db);
    const { id, token } = await tokenFor(db, world.provider.id, world.provider.members.OWNER, 'OWNER', [
      'config:write',
      'apis:write',
      'plans:write',
    ]);
    const testCase = ENDPOINT_CASES['config.apply'];
    if (!testCase) throw new Error('no case for config.apply');
    const request = await testCase.request(world, db);
    const answer = await call(token, 'POST', '/config/apply', {
      body: { ...(request.body as object), dryRun: true },
    });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json).toMatchObject({ applied: false });
    expect((answer.json.changes as unknown[]).length).toBeGreaterThan(0);
    expect(await db.auditLog.count({ where: { apiTokenId: id } })).toBe(0);
  });

  it('applies a document only within the scopes its changes need', async () => {
    const world = await seedTenantWorld(db);
    const testCase = ENDPOINT_CASES['config.apply'];
    if (!testCase) throw new Error('no case for config.apply');
    const request = await testCase.request(world, db);
    const { token: configOnly } = await tokenFor(
      db,
      world.provider.id,
      world.provider.members.OWNER,
      'OWNER',
      ['config:write'],
    );
    const refused = await call(configOnly, 'POST', '/config/apply', { body: request.body });
    expect(refused.status, refused.text).toBe(403);
    expect(String(refused.json.detail)).toContain('apis:write, plans:write');
    const { token: apisOnly } = await tokenFor(db, world.provider.id, world.provider.members.OWNER, 'OWNER', [
      'config:write',
      'apis:write',
    ]);
    const stillRefused = await call(apisOnly, 'POST', '/config/apply', { body: request.body });
    expect(stillRefused.status, stillRefused.text).toBe(403);
    expect(String(stillRefused.json.detail)).toContain('plans:write');
    expect(await db.api.count({ where: { orgId: world.provider.id, name: 'From a file' } })).toBe(0);
  });
});

describe('hostile input is a 4xx problem, never a 5xx', () => {
  async function ownerToken() {
    const world = await seedTenantWorld(db);
    const { token } = await tokenFor(db, world.provider.id, world.provider.members.OWNER, 'OWNER');
    return { world, token };
  }

  const expectProblem = (answer: Awaited<ReturnType<typeof call>>, status?: number) => {
    if (status) expect(answer.status, answer.text).toBe(status);
    expect(answer.status, answer.text).toBeGreaterThanOrEqual(400);
    expect(answer.status, answer.text).toBeLessThan(500);
    expect(answer.headers.get('content-type')).toBe(PROBLEM);
  };

  it('refuses odd paths, escapes and query values', async () => {
    const { world, token } = await ownerToken();
    const apiId = world.provider.apiId;
    for (const path of [
      `/apis/..%2F..%2Fmembers`,
      `/apis/%2e%2e`,
      `/apis/${apiId}%00`,
      `/apis/%E0%A4%A`,
      `/apis/${'x'.repeat(5000)}`,
      `/plans/${world.provider.planId}%2Fpricing`,
    ]) {
      expectProblem(await call(token, 'GET', path), undefined);
    }
    const queries: Record<string, string>[] = [
      { side: 'provider', limit: '1e400' },
      { side: 'provider', limit: '-1' },
      { side: 'provider', limit: '2.5' },
      { side: 'provider', from: 'yesterday' },
      { side: 'provider', cursorAt: '99999-01-01T00:00:00Z', cursorId: 'x' },
      { side: ['provider', 'consumer'].join(',') },
    ];
    for (const query of queries) {
      expectProblem(await call(token, 'GET', '/logs', { query }), 400);
    }
    expectProblem(await call(token, 'GET', '/invoices', { query: { page: '100001' } }), 400);
    // Unknown query parameters are ignored, not an error and not a crash.
    const extra = await call(token, 'GET', '/apis', { query: { orgId: world.consumer.id, evil: '1' } });
    expect(extra.status).toBe(200);
  });

  it('refuses wrong content types, invalid UTF-8, deep and huge bodies', async () => {
    const { world, token } = await ownerToken();
    const text = await call(token, 'POST', '/apps', {
      rawBody: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectProblem(text, 415);
    const invalidUtf8 = await call(token, 'POST', '/apis', {
      rawBody: Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) as never,
    });
    expectProblem(invalidUtf8, 400);
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    for (const [method, path] of [
      ['POST', '/apis'],
      ['PUT', `/plans/${world.provider.planId}/pricing`],
      ['POST', '/config/apply'],
    ] as const) {
      expectProblem(await call(token, method, path, { rawBody: `{"document":${deep},"pricing":${deep}}` }));
    }
    const huge = await call(token, 'POST', '/config/apply', {
      rawBody: JSON.stringify({ document: { version: 1, apis: [], pad: 'x'.repeat(21_000_000) } }),
    });
    expectProblem(huge, 413);
    const notObject = await call(token, 'POST', '/apis', { body: [1, 2, 3] });
    expectProblem(notObject, 400);
    const nullBody = await call(token, 'POST', '/config/apply', { rawBody: 'null' });
    expectProblem(nullBody, 400);
  });

  it('validates tool prices: sign, exponent, decimals, size and count', async () => {
    const { world, token } = await ownerToken();
    const price = (toolPrices: unknown) =>
      call(token, 'PUT', `/plans/${world.provider.planId}/pricing`, {
        body: { pricing: { model: 'per_unit', unitPrice: '0.01', toolPrices } },
      });
    const many = Object.fromEntries(Array.from({ length: 501 }, (_, i) => [`tool${i}`, '0.01']));
    for (const toolPrices of [
      { search: '-1' },
      { search: '1e3' },
      { search: '0.0000000000000000001' },
      { search: '9'.repeat(400) },
      { search: 5 },
      { 'bad name!': '1' },
      { ['x'.repeat(129)]: '1' },
      many,
    ]) {
      expectProblem(await price(toolPrices), 400);
    }
    const ok = await price({ search: '0.002', 'files.read': '0.5' });
    expect(ok.status, ok.text).toBe(200);
  });
});

describe('the MCP endpoint under attack', () => {
  const headers = { accept: 'application/json, text/event-stream' };
  const rpc = (token: string, body: unknown, extra: Record<string, string> = {}) =>
    call(token, 'POST', '/mcp', { body, headers: { ...headers, ...extra } });
  const toolCall = (name: string, args: unknown, id: number | string = 1) => ({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name, arguments: args },
  });
  const resultText = (answer: Awaited<ReturnType<typeof call>>) => {
    const result = (answer.json as { result?: { isError?: boolean; content?: Array<{ text: string }> } })
      .result;
    return { isError: result?.isError ?? false, body: JSON.parse(result?.content?.[0]?.text ?? 'null') };
  };

  it('refuses an unlisted tool, another org’s ids and a write through a read scope', async () => {
    const world = await seedTenantWorld(db);
    const reader = await tokenFor(db, world.provider.id, world.provider.members.OWNER, 'OWNER', [
      'apis:read',
      'members:read',
    ]);
    const retire = resultText(
      await rpc(reader.token, toolCall('apis_retire', { apiId: world.provider.apiId, confirmSlug: 'x' })),
    );
    expect(retire).toMatchObject({ isError: true, body: { status: 403, code: 'MISSING_SCOPE' } });
    const tokens = resultText(await rpc(reader.token, toolCall('apiTokens_create', { name: 'x' })));
    expect(tokens).toMatchObject({ isError: true, body: { status: 404 } });

    const outsider = await tokenFor(db, world.outsider.orgId, world.outsider.userId, 'OWNER');
    for (const [name, args] of [
      ['apis_get', { apiId: world.provider.apiId }],
      ['subscriptions_approve', { subscriptionId: world.consumer.pendingSubscriptionId }],
      ['plans_create', { apiId: world.provider.apiId, name: 'Sneaky' }],
      ['keys_revoke', { keyId: world.consumer.keyId }],
      ['members_remove', { userId: world.provider.bystanderId }],
    ] as const) {
      const answer = resultText(await rpc(outsider.token, toolCall(name, args)));
      expect(answer, name).toMatchObject({ isError: true, body: { status: 404 } });
    }
    const pending = await db.subscription.findUniqueOrThrow({
      where: { id: world.consumer.pendingSubscriptionId },
    });
    expect(pending.status).toBe('PENDING');
  });

  it('answers bad JSON-RPC, methods and bodies with a 4xx', async () => {
    const world = await seedTenantWorld(db);
    const { token } = await tokenFor(db, world.provider.id, world.provider.members.OWNER, 'OWNER');
    const notRpc = await rpc(token, { hello: 'world' });
    expect(notRpc.status, notRpc.text).toBeGreaterThanOrEqual(400);
    expect(notRpc.status, notRpc.text).toBeLessThan(500);
    const badArgs = await rpc(token, toolCall('apis_get', 'not an object'));
    expect(badArgs.status, badArgs.text).toBeLessThan(500);
    const noAccept = await call(token, 'POST', '/mcp', { body: toolCall('apis_list', {}) });
    expect(noAccept.status, noAccept.text).toBeGreaterThanOrEqual(400);
    expect(noAccept.status, noAccept.text).toBeLessThan(500);
    const get = await Promise.race([
      call(token, 'GET', '/mcp', { headers: { accept: 'text/event-stream' } }),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 5000)),
    ]);
    expect(get, 'GET /mcp hangs').not.toBeNull();
    expect(get?.status).toBeLessThan(500);
    const huge = await rpc(token, toolCall('apis_list', { pad: 'x'.repeat(1_200_000) }));
    expect(huge.status).toBe(413);
  });
});

describe("a consumer's token against its provider", () => {
  it('cannot read or change the prices, plans or decisions of the API it subscribes to', async () => {
    const world = await seedTenantWorld(db);
    const { token } = await tokenFor(db, world.consumer.id, world.consumer.members.OWNER, 'OWNER');
    const { planId, apiId, apiSlug } = world.provider;
    const before = await db.plan.findUniqueOrThrow({ where: { id: planId } });
    const attempts = [
      call(token, 'GET', `/plans/${planId}/pricing`),
      call(token, 'PUT', `/plans/${planId}/pricing`, { body: { pricing: { model: 'free' } } }),
      call(token, 'PUT', `/plans/${planId}`, {
        body: {
          rateLimit: null,
          rateLimitWindowSeconds: 60,
          monthlyQuota: null,
          requiresApproval: false,
          limits: [],
        },
      }),
      call(token, 'POST', `/apis/${apiId}/plans`, { body: { name: 'Mine now' } }),
      call(token, 'POST', `/subscriptions/${world.consumer.pendingSubscriptionId}/approve`),
      call(token, 'POST', `/subscriptions/${world.consumer.subscriptionId}/resume`),
      call(token, 'GET', `/apis/${apiId}/subscriptions`),
    ];
    for (const answer of await Promise.all(attempts)) expect(answer.status, answer.text).toBe(404);
    // A document naming the provider's slug makes (at most) an API of the consumer's own.
    const applied = await call(token, 'POST', '/config/apply', {
      body: {
        document: {
          version: 1,
          apis: [{ slug: apiSlug, name: 'Hijack', upstreamUrl: 'http://127.0.0.1:9/u', status: 'RETIRED' }],
        },
        dryRun: true,
      },
    });
    expect(applied.status, applied.text).toBeLessThan(500);
    const provider = await db.api.findUniqueOrThrow({ where: { id: apiId } });
    expect(provider).toMatchObject({ status: 'PUBLISHED', name: 'Weather' });
    expect(await db.plan.findUniqueOrThrow({ where: { id: planId } })).toEqual(before);
    const pending = await db.subscription.findUniqueOrThrow({
      where: { id: world.consumer.pendingSubscriptionId },
    });
    expect(pending.status).toBe('PENDING');
  });
});

describe('a NUL character anywhere in the input', () => {
  // Postgres refuses U+0000 in text: let through, it turns any lookup or write into a 500.
  it('is a 4xx problem in a path id, a query value or a body string', async () => {
    const world = await seedTenantWorld(db);
    const { token } = await tokenFor(db, world.provider.id, world.provider.members.OWNER, 'OWNER');
    const answers: Array<readonly [string, Awaited<ReturnType<typeof call>>]> = [];
    for (const endpoint of MANAGEMENT_ENDPOINTS.filter((e) => e.path.includes('{'))) {
      const path = endpoint.path.replace(/\{\w+\}/g, 'ab%00cd');
      const answer = await call(token, endpoint.method, path, {
        ...(endpoint.body ? { body: {} } : {}),
        query: { side: 'provider' },
      });
      answers.push([endpoint.id, answer] as const);
    }
    answers.push(['apps.create', await call(token, 'POST', '/apps', { body: { name: 'a\u0000b' } })]);
    answers.push([
      'subscriptions.reject',
      await call(token, 'POST', `/subscriptions/${world.consumer.pendingSubscriptionId}/reject`, {
        body: { reason: 'a\u0000b' },
      }),
    ]);
    answers.push([
      'logs.list',
      await call(token, 'GET', '/logs', { query: { side: 'provider', pathPrefix: '/a\u0000' } }),
    ]);
    for (const [id, answer] of answers) {
      expect(answer.status, `${id}: ${answer.text}`).toBeGreaterThanOrEqual(400);
      expect(answer.status, `${id}: ${answer.text}`).toBeLessThan(500);
      expect(answer.headers.get('content-type')).toBe(PROBLEM);
    }
    // An escaped backslash before "u0000" is ordinary text, not a NUL.
    const literal = await call(token, 'POST', '/apps', { rawBody: '{"name":"back\\\\u0000slash"}' });
    expect(literal.status, literal.text).toBe(201);
  });
});
