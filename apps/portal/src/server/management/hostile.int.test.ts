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
    const { id, token } = await tokenFor(db, side.id, side.members.OWNER, 'OWNER', [endpoint.scope]);
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
});
