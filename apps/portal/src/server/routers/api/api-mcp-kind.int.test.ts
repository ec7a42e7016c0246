import { describe, expect, it } from 'vitest';
import { db, expectTrpcError, member, uniq } from '../../test/harness';

describe('api.create: MCP servers', () => {
  it('creates an MCP API with its upstream MCP URL, without an OpenAPI import', async () => {
    const { org, caller } = await member('OWNER', 'mcpprov');
    const api = await caller.api.create({
      orgSlug: org.slug,
      name: 'Tools',
      slug: uniq('tools'),
      kind: 'MCP',
      upstreamUrl: 'http://127.0.0.1:9/mcp',
      openapiDocument: '{"openapi":"3.1.0","paths":{}}',
    });
    expect(await db.api.findUniqueOrThrow({ where: { id: api.id } })).toMatchObject({
      kind: 'MCP',
      upstreamUrl: 'http://127.0.0.1:9/mcp',
      openapiSpec: null,
      status: 'DRAFT',
    });
  });

  it('requires an allowed http(s) upstream URL, as for REST', async () => {
    const { org, caller } = await member('OWNER', 'mcpprov');
    const base = { orgSlug: org.slug, name: 'Tools', kind: 'MCP' as const };
    await expectTrpcError(caller.api.create({ ...base, slug: uniq('t'), upstreamUrl: '' }), 'BAD_REQUEST');
    const metadata = await expectTrpcError(
      caller.api.create({ ...base, slug: uniq('t'), upstreamUrl: 'http://169.254.169.254/mcp' }),
      'BAD_REQUEST',
    );
    expect(metadata.cause).toMatchObject({ fields: { upstreamUrl: expect.any(String) } });
    expect(await db.api.count({ where: { orgId: org.id } })).toBe(0);
  });
});
