import type { Role } from '@portcullis/db';
import { TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { describe, expect, it } from 'vitest';
import { appRouter } from '../root';
import { callerFor, db, seedUser } from '../test/harness';
import { ACCESS_MATRIX, type Access, type MatrixEntry } from './test/access-matrix';
import { privateIds, ROLES_LOW_TO_HIGH, seedTenantWorld, type TenantWorld } from './test/world';

/**
 * Every procedure of the app router, called as every kind of actor against one fully seeded tenant.
 * An actor the matrix refuses must get UNAUTHORIZED, FORBIDDEN or NOT_FOUND; an actor it allows must not.
 */
type ProcedureType = 'query' | 'mutation' | 'subscription';
// At run time `_def.procedures` is flat ('api.create' → procedure); its declared type is the nested record.
const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { type: ProcedureType } }>;
const REFUSALS = new Set<TRPCError['code']>(['UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND']);

type Outcome = { kind: 'ok'; value: unknown } | { kind: 'refused' | 'error'; code: string; message: string };

type ActorName =
  | 'anonymous'
  | 'outsider'
  /** the outsider naming its own org, with the target's resource ids (the IDOR case) */
  | 'outsider@own-org'
  | Role
  | 'platformAdmin'
  | 'invitee';

interface Actor {
  name: ActorName;
  userId: string | null;
  input: unknown;
  expect: 'allowed' | 'refused' | 'refused-or-no-leak';
}

async function call(path: string, userId: string | null, input: unknown): Promise<Outcome> {
  let target: unknown = callerFor(userId);
  for (const segment of path.split('.')) target = (target as Record<string, unknown>)[segment];
  try {
    return { kind: 'ok', value: await (target as (i: unknown) => Promise<unknown>)(input) };
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    return { kind: REFUSALS.has(error.code) ? 'refused' : 'error', code: error.code, message: error.message };
  }
}

const ROLE_RANK: Record<Role, number> = { VIEWER: 0, DEVELOPER: 1, ADMIN: 2, OWNER: 3 };

/** The input with the acting org swapped, when it names the target's resources besides the org. */
function ownOrgVariant(input: unknown, world: TenantWorld): unknown | null {
  if (typeof input !== 'object' || input === null || !('orgSlug' in input)) return null;
  const rest = { ...(input as Record<string, unknown>) };
  delete rest.orgSlug;
  const ids = [
    world.provider.id,
    world.provider.apiId,
    world.provider.apiSlug,
    world.provider.planId,
    world.provider.bystanderId,
    world.provider.changelogEntryId,
    world.provider.auditId,
    world.provider.requestLogId,
    world.provider.invitationId,
    world.consumer.id,
    ...privateIds(world),
  ];
  const text = JSON.stringify(rest);
  if (!ids.some((id) => text.includes(`"${id}"`))) return null;
  return { ...rest, orgSlug: world.outsider.orgSlug };
}

function actorsFor(access: Access, world: TenantWorld, input: unknown): Actor[] {
  const org = access.kind === 'member' ? world[access.side] : world.provider;
  const memberAllowed = (role: Role) =>
    access.kind === 'public' ||
    access.kind === 'signedIn' ||
    (access.kind === 'member' && ROLE_RANK[role] >= ROLE_RANK[access.minRole]);
  const actors: Actor[] = [
    { name: 'anonymous', userId: null, input, expect: access.kind === 'public' ? 'allowed' : 'refused' },
    {
      name: 'outsider',
      userId: world.outsider.userId,
      input,
      expect: access.kind === 'public' || access.kind === 'signedIn' ? 'allowed' : 'refused',
    },
  ];
  const ownOrg = access.kind === 'member' ? ownOrgVariant(input, world) : null;
  if (ownOrg) {
    actors.push({
      name: 'outsider@own-org',
      userId: world.outsider.userId,
      input: ownOrg,
      expect: 'refused-or-no-leak',
    });
  }
  for (const role of ROLES_LOW_TO_HIGH) {
    actors.push({
      name: role,
      userId: org.members[role],
      input,
      expect: memberAllowed(role) ? 'allowed' : 'refused',
    });
  }
  if (access.kind === 'platformAdmin') {
    actors.push({ name: 'platformAdmin', userId: world.platformAdminId, input, expect: 'allowed' });
  }
  return actors;
}

function describeOutcome(outcome: Outcome): string {
  return outcome.kind === 'ok' ? 'succeeded' : `${outcome.code}: ${outcome.message}`;
}

function leaks(value: unknown, world: TenantWorld): string[] {
  const text = JSON.stringify(superjson.serialize(value).json);
  return privateIds(world).filter((id) => text.includes(id));
}

/** What is wrong with one call, or null. */
function judge(
  path: string,
  type: ProcedureType,
  entry: MatrixEntry,
  actor: Actor,
  outcome: Outcome,
  world: TenantWorld,
): string | null {
  const who = `${path} as ${actor.name}`;
  const outside = actor.name === 'anonymous' || actor.name.startsWith('outsider');
  if (actor.expect === 'allowed') {
    if (outcome.kind === 'refused' && !entry.allowedMayBeRefused) {
      return `${who}: allowed by the matrix but refused (${describeOutcome(outcome)})`;
    }
    if (outcome.kind === 'error' && outcome.code === 'INTERNAL_SERVER_ERROR') {
      return `${who}: failed (${describeOutcome(outcome)})`;
    }
    if (outcome.kind === 'ok' && outside) {
      const leaked = leaks(outcome.value, world);
      if (leaked.length > 0) return `${who}: answer contains the tenant's private ids ${leaked.join(', ')}`;
    }
    return null;
  }
  if (outcome.kind === 'refused') return null;
  if (actor.expect === 'refused-or-no-leak' && outcome.kind === 'ok' && type === 'query') {
    const leaked = leaks(outcome.value, world);
    return leaked.length > 0 ? `${who}: answer contains the tenant's private ids ${leaked.join(', ')}` : null;
  }
  return `${who}: must be refused but ${describeOutcome(outcome)}`;
}

async function freshWorld(entry: MatrixEntry): Promise<TenantWorld> {
  const world = await seedTenantWorld(db);
  await entry.prepare?.(db, world);
  return world;
}

describe('tenant isolation matrix', () => {
  it('has exactly one entry per procedure of the app router', () => {
    const routerPaths = Object.keys(procedures).sort();
    const matrixPaths = Object.keys(ACCESS_MATRIX).sort();
    expect(
      routerPaths.filter((p) => !(p in ACCESS_MATRIX)),
      'procedures without an entry in access-matrix.ts',
    ).toEqual([]);
    expect(
      matrixPaths.filter((p) => !(p in procedures)),
      'entries in access-matrix.ts naming procedures that no longer exist',
    ).toEqual([]);
  });

  const entries = Object.entries(ACCESS_MATRIX).filter(([path]) => path in procedures);

  it.each(entries)('%s', async (path, entry) => {
    const type = procedures[path]!._def.type;
    const problems: string[] = [];
    let world = await freshWorld(entry);
    for (const actor of actorsFor(entry.access, world, entry.input(world))) {
      // An allowed mutation changes the world (revokes, removes, retires): each allowed actor gets a fresh
      // one so the next actor's call is judged on the same state. Refused calls change nothing.
      if (type === 'mutation' && actor.expect === 'allowed' && actor.name !== 'anonymous') {
        world = await freshWorld(entry);
        const fresh = actorsFor(entry.access, world, entry.input(world)).find((a) => a.name === actor.name)!;
        Object.assign(actor, fresh);
      }
      const outcome = await call(path, actor.userId, actor.input);
      const problem = judge(path, type, entry, actor, outcome, world);
      if (problem) problems.push(problem);
    }
    if (entry.access.kind === 'invitee') {
      const invitee = await seedUser(db, 'invitee');
      await db.user.update({ where: { id: invitee.id }, data: { email: world.provider.invitationEmail } });
      const outcome = await call(path, invitee.id, entry.input(world));
      if (outcome.kind !== 'ok') problems.push(`${path} as the invitee: ${describeOutcome(outcome)}`);
    }
    expect(problems).toEqual([]);
  });
});
