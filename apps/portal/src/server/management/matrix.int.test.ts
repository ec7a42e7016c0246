import type { Role } from '@portcullis/db';
import { API_TOKEN_SCOPES } from '@portcullis/services/verbs/api-tokens';
import { describe, expect, it } from 'vitest';
import { can } from '../permissions';
import { privateIds, ROLES_LOW_TO_HIGH, seedTenantWorld } from '../security/test/world';
import { db } from '../test/harness';
import { MANAGEMENT_ENDPOINTS } from './table';
import { ENDPOINT_CASES } from './test/cases';
import { managementClient, tokenFor } from './test/client';

/**
 * Every endpoint of the management API called as: a token of another org (OWNER, every scope), a token
 * of the owning org lacking the endpoint's scope, one whose role is just below what the permission
 * table asks, and the least token that may call it (lowest allowed role, only the endpoint's scope).
 */
const call = managementClient(db);

const lowestRole = (permission: Parameters<typeof can>[1]): Role => {
  const role = ROLES_LOW_TO_HIGH.find((candidate) => can(candidate, permission));
  if (!role) throw new Error(`no role has ${permission}`);
  return role;
};

describe('management API access matrix', () => {
  it('has a case for every endpoint and no case for a removed one', () => {
    const ids = MANAGEMENT_ENDPOINTS.map((endpoint) => endpoint.id).sort();
    expect(Object.keys(ENDPOINT_CASES).sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(MANAGEMENT_ENDPOINTS.map((endpoint) => [endpoint.id, endpoint] as const))(
    '%s',
    async (_id, endpoint) => {
      const testCase = ENDPOINT_CASES[endpoint.id];
      if (!testCase) throw new Error(`no case for ${endpoint.id}`);
      const world = await seedTenantWorld(db);
      const side = world[testCase.side];
      const request = await testCase.request(world, db);
      const send = (token: string) => call(token, endpoint.method, request.path, request);

      // Another org's token: another org's resource is not found; a path without ids acts on its own org.
      const outsider = await tokenFor(db, world.outsider.orgId, world.outsider.userId, 'OWNER');
      const foreign = await send(outsider.token);
      if (endpoint.params) {
        expect(foreign.status, `outsider: ${foreign.text}`).toBe(404);
      } else {
        expect(foreign.status, `outsider: ${foreign.text}`).toBeLessThan(500);
      }
      for (const id of privateIds(world)) expect(foreign.text).not.toContain(id);

      // The owning org's OWNER, every scope but this endpoint's area.
      const area = endpoint.scope.split(':')[0];
      const otherScopes = API_TOKEN_SCOPES.filter((scope) => !scope.startsWith(`${area}:`));
      const unscoped = await tokenFor(db, side.id, side.members.OWNER, 'OWNER', otherScopes);
      const missing = await send(unscoped.token);
      expect(missing.status).toBe(403);
      expect(missing.json).toMatchObject({ code: 'MISSING_SCOPE', status: 403 });
      expect(String(missing.json.detail)).toContain(endpoint.scope);
      if (endpoint.scope.endsWith(':write')) {
        const readOnly = await tokenFor(db, side.id, side.members.OWNER, 'OWNER', [`${area}:read` as never]);
        expect((await send(readOnly.token)).status).toBe(403);
      }

      const minRole = lowestRole(endpoint.permission);
      const below = ROLES_LOW_TO_HIGH[ROLES_LOW_TO_HIGH.indexOf(minRole) - 1];
      if (below) {
        const weak = await tokenFor(db, side.id, side.members.OWNER, below, [
          endpoint.scope,
          ...(testCase.extraScopes ?? []),
        ]);
        const refused = await send(weak.token);
        expect(refused.status, `${below}: ${refused.text}`).toBe(403);
        expect(refused.json).toMatchObject({ code: 'FORBIDDEN' });
      }

      const least = await tokenFor(db, side.id, side.members[minRole], minRole, [
        endpoint.scope,
        ...(testCase.extraScopes ?? []),
      ]);
      const answer = await send(least.token);
      expect(answer.status, `${minRole}: ${answer.text}`).toBe(endpoint.status ?? 200);
      expect(answer.headers.get('content-type')).toBe('application/json');
      const shape = endpoint.output.safeParse(answer.json);
      expect(shape.success, `output of ${endpoint.id}: ${shape.error?.message}`).toBe(true);
    },
  );
});
