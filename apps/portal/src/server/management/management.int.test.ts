import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { seedTenantWorld } from '../security/test/world';
import { db } from '../test/harness';
import { MANAGEMENT_ENDPOINTS } from './table';
import { managementClient, tokenFor } from './test/client';

const call = managementClient(db);
const PROBLEM = 'application/problem+json';

async function providerToken(role: 'OWNER' | 'VIEWER' = 'OWNER') {
  const world = await seedTenantWorld(db);
  const { token, id } = await tokenFor(db, world.provider.id, world.provider.members.OWNER, role);
  return { world, token, tokenId: id };
}

describe('management API authentication', () => {
  it('refuses a missing, malformed or unknown token with 401 and a Bearer challenge', async () => {
    for (const token of [null, 'pk_live_x', `pcm_${'A'.repeat(32)}`]) {
      const answer = await call(token, 'GET', '/apis');
      expect(answer.status).toBe(401);
      expect(answer.headers.get('content-type')).toBe(PROBLEM);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });

  it('refuses a revoked token within a second', async () => {
    const { world, token, tokenId } = await providerToken();
    expect((await call(token, 'GET', '/apis')).status).toBe(200);
    await db.apiToken.update({ where: { id: tokenId }, data: { revokedAt: new Date() } });
    await new Promise((resolve) => setTimeout(resolve, 1050));
    const answer = await call(token, 'GET', '/apis');
    expect(answer.status).toBe(401);
    expect(world.provider.id).toBeTruthy();
  });

  it('refuses an expired token and one whose creator left the org', async () => {
    const world = await seedTenantWorld(db);
    const soon = await tokenFor(
      db,
      world.provider.id,
      world.provider.members.OWNER,
      'OWNER',
      undefined,
      new Date(Date.now() + 300),
    );
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await call(soon.token, 'GET', '/apis')).status).toBe(401);

    const admins = await tokenFor(db, world.provider.id, world.provider.members.ADMIN, 'ADMIN');
    await db.membership.deleteMany({
      where: { orgId: world.provider.id, userId: world.provider.members.ADMIN },
    });
    expect((await call(admins.token, 'GET', '/apis')).status).toBe(401);
  });

  it('never acts above its creator: a token shrinks when its creator is demoted', async () => {
    const world = await seedTenantWorld(db);
    const { token } = await tokenFor(db, world.provider.id, world.provider.members.ADMIN, 'ADMIN');
    const invite = () => call(token, 'GET', '/invitations');
    expect((await invite()).status).toBe(200);
    await db.membership.updateMany({
      where: { orgId: world.provider.id, userId: world.provider.members.ADMIN },
      data: { role: 'VIEWER' },
    });
    await new Promise((resolve) => setTimeout(resolve, 1050));
    expect((await invite()).status).toBe(403);
  });

  it('stamps lastUsedAt', async () => {
    const { token, tokenId } = await providerToken();
    await call(token, 'GET', '/apis');
    await expect
      .poll(async () => (await db.apiToken.findUniqueOrThrow({ where: { id: tokenId } })).lastUsedAt)
      .not.toBeNull();
  });
});

describe('management API audit', () => {
  it('writes the UI action with the creator as actor and the token id', async () => {
    const { world, token, tokenId } = await providerToken();
    const answer = await call(token, 'POST', `/apis/${world.provider.apiId}/deprecate`, {
      body: { sunsetAt: new Date(Date.now() + 30 * 86_400_000).toISOString(), message: 'Move on' },
    });
    expect(answer.status).toBe(200);
    const row = await db.auditLog.findFirstOrThrow({
      where: { orgId: world.provider.id, action: 'api.deprecate', targetId: world.provider.apiId },
    });
    expect(row).toMatchObject({ actorId: world.provider.members.OWNER, apiTokenId: tokenId });
  });
});

describe('management API problems', () => {
  it('answers RFC 9457 problems for unknown routes, wrong methods, bad JSON, size and fields', async () => {
    const { world, token } = await providerToken();
    const unknown = await call(token, 'GET', '/nothing/here');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe(PROBLEM);
    expect(unknown.json).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
      title: expect.any(String),
      type: expect.any(String),
    });

    const wrong = await call(token, 'DELETE', '/apis');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, POST');

    const badJson = await call(token, 'POST', '/apis', { rawBody: '{"name":' });
    expect(badJson.status).toBe(400);
    expect(badJson.json).toMatchObject({ code: 'INVALID_JSON' });

    const huge = await call(token, 'PUT', `/apis/${world.provider.apiId}/openapi`, {
      rawBody: JSON.stringify({ document: 'x'.repeat(1_200_000) }),
    });
    expect(huge.status).toBe(413);

    const invalid = await call(token, 'POST', '/apis', { body: { name: '', slug: 'Not A Slug' } });
    expect(invalid.status).toBe(400);
    expect(invalid.json).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: { 'body.name': expect.any(String), 'body.slug': expect.any(String) },
    });

    const badQuery = await call(token, 'GET', '/logs', { query: { side: 'sideways' } });
    expect(badQuery.status).toBe(400);
    expect(badQuery.json).toMatchObject({ errors: { 'query.side': expect.any(String) } });
  });

  it('lists provider invoices only for roles with billing.manage', async () => {
    const world = await seedTenantWorld(db);
    const viewer = await tokenFor(db, world.provider.id, world.provider.members.OWNER, 'VIEWER');
    const refused = await call(viewer.token, 'GET', '/invoices', { query: { side: 'provider' } });
    expect(refused.status).toBe(403);
    const admin = await tokenFor(db, world.provider.id, world.provider.members.OWNER, 'ADMIN');
    const listed = await call(admin.token, 'GET', '/invoices', { query: { side: 'provider' } });
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.json)).toContain(world.consumer.invoiceId);
  });
});

describe('management API OpenAPI document', () => {
  it('is OpenAPI 3.1 with bearer security and lists every endpoint once', async () => {
    const answer = await call(null, 'GET', '/openapi.json');
    expect(answer.status).toBe(200);
    const doc = answer.json as {
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          {
            operationId: string;
            requestBody?: { content: Record<string, { schema: object }> };
            responses: Record<string, { content?: Record<string, { schema: object }> }>;
          }
        >
      >;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const operations = Object.values(doc.paths).flatMap((ops) => Object.values(ops));
    expect(operations.map((op) => op.operationId).sort()).toEqual(
      MANAGEMENT_ENDPOINTS.map((e) => e.id).sort(),
    );
    for (const endpoint of MANAGEMENT_ENDPOINTS) {
      expect(doc.paths[endpoint.path]?.[endpoint.method.toLowerCase()]?.operationId).toBe(endpoint.id);
    }
    // Every schema in it is valid JSON Schema 2020-12 (OpenAPI 3.1's dialect).
    const ajv = new Ajv2020({ strict: false });
    for (const op of operations) {
      const schemas = [
        ...Object.values(op.requestBody?.content ?? {}),
        ...Object.values(op.responses).flatMap((r) => Object.values(r.content ?? {})),
      ].map((media) => media.schema);
      for (const schema of schemas) {
        if ('$ref' in schema) continue;
        expect(() => ajv.compile(schema), op.operationId).not.toThrow();
      }
    }
  });
});
