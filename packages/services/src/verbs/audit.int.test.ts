import { DomainError } from '@portcullis/core/errors';
import { getDb } from '@portcullis/db';
import { beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { seedOrg, seedUser } from '../../../../test/fixtures.ts';
import { auditFacets, getAuditEntry, listAudit } from './audit.ts';

const db = getDb();
const T0 = Date.UTC(2024, 6, 1, 9);
const minute = (n: number) => new Date(T0 + n * 60_000);

async function seedWorld() {
  const owner = await seedUser(db, 'owner');
  const admin = await seedUser(db, 'admin');
  const org = await seedOrg(db, owner.id, 'OWNER', 'audited');
  await db.membership.create({ data: { orgId: org.id, userId: admin.id, role: 'ADMIN' } });
  const otherOwner = await seedUser(db, 'other');
  const other = await seedOrg(db, otherOwner.id, 'OWNER', 'other');
  const entry = (
    orgId: string,
    actorId: string,
    action: string,
    targetType: string,
    at: Date,
    diff: { before?: object; after?: object } = {},
  ) =>
    db.auditLog.create({
      data: { orgId, actorId, action, targetType, targetId: `t-${action}`, at, ...diff },
    });
  const entries = [
    await entry(org.id, owner.id, 'api.create', 'Api', minute(0), { after: { name: 'Maps' } }),
    await entry(org.id, owner.id, 'api.update', 'Api', minute(1), {
      before: { name: 'Maps' },
      after: { name: 'Maps v2' },
    }),
    await entry(org.id, admin.id, 'plan.create', 'Plan', minute(1)),
    await entry(org.id, admin.id, 'apiXcreate', 'Api', minute(2)),
    await entry(org.id, admin.id, 'member.invite', 'Invitation', minute(3)),
    await entry(other.id, otherOwner.id, 'api.create', 'Api', minute(4)),
  ];
  const ctx = (orgId: string, userId: string) => ({ db, org: { id: orgId }, actor: { id: userId } });
  return { mine: ctx(org.id, owner.id), theirs: ctx(other.id, otherOwner.id), org, owner, admin, entries };
}

let w: Awaited<ReturnType<typeof seedWorld>>;
beforeAll(async () => {
  w = await seedWorld();
});
const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id);
const expected = (...positions: number[]) =>
  positions
    .map((i) => w.entries[i]!)
    .sort((a, b) => b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : -1))
    .map((e) => e.id);

describe('listAudit', () => {
  it("lists the org's entries newest first, with the actor, and never another org's", async () => {
    const page = await listAudit(w.mine, {});
    expect(ids(page.rows)).toEqual(expected(0, 1, 2, 3, 4));
    expect(page.rows[0]).toMatchObject({ action: 'member.invite', targetType: 'Invitation' });
    expect(page.rows[0]?.actor).toMatchObject({ id: w.admin.id, email: w.admin.email });
    expect(page.rows[0]).not.toHaveProperty('before');
    expect(ids((await listAudit(w.theirs, {})).rows)).toEqual(expected(5));
  });

  it('filters by actor, action prefix (no wildcards), target type and time', async () => {
    const list = async (filter: Parameters<typeof listAudit>[1]) =>
      ids((await listAudit(w.mine, filter)).rows);
    expect(await list({ actorId: w.admin.id })).toEqual(expected(2, 3, 4));
    expect(await list({ actionPrefix: 'api.' })).toEqual(expected(0, 1));
    // "_" would match any character in LIKE; here it is literal.
    expect(await list({ actionPrefix: 'api_' })).toEqual([]);
    expect(await list({ targetType: 'Api' })).toEqual(expected(0, 1, 3));
    expect(await list({ from: minute(1), to: minute(3) })).toEqual(expected(1, 2, 3));
  });

  it('pages by keyset through entries sharing a timestamp', async () => {
    const seen: string[] = [];
    let cursor: { at: Date; id: string } | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await listAudit(w.mine, { limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...ids(page.rows));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(expected(0, 1, 2, 3, 4));
  });

  it('refuses page sizes over 200 and reversed ranges', async () => {
    await expect(listAudit(w.mine, { limit: 201 })).rejects.toBeInstanceOf(ZodError);
    await expect(listAudit(w.mine, { from: minute(2), to: minute(1) })).rejects.toBeInstanceOf(ZodError);
  });
});

describe('audit target names', () => {
  it('names targets from the database, else from what the entry recorded', async () => {
    const api = await db.api.create({
      data: {
        orgId: w.org.id,
        slug: `named-${Date.now()}`,
        name: 'Weather',
        version: 'v3',
        upstreamUrl: 'http://127.0.0.1:9',
      },
    });
    const live = await db.auditLog.create({
      data: {
        orgId: w.org.id,
        actorId: w.owner.id,
        action: 'api.publish',
        targetType: 'Api',
        targetId: api.id,
        at: minute(9),
      },
    });
    const rows = (await listAudit(w.mine, { limit: 200 })).rows;
    const nameOf = (id: string) => rows.find((r) => r.id === id)?.targetName;
    expect(nameOf(live.id)).toBe('Weather v3');
    // the target of these is gone (made-up ids): named from the recorded documents, or not at all
    expect(nameOf(w.entries[1]!.id)).toBe('Maps v2');
    expect(nameOf(w.entries[2]!.id)).toBeNull();
    expect(rows.every((r) => !('before' in r) && !('after' in r))).toBe(true);
    expect((await getAuditEntry(w.mine, { id: live.id })).targetName).toBe('Weather v3');
  });
});

describe('getAuditEntry', () => {
  it('returns before and after; NOT_FOUND for another org', async () => {
    const entry = await getAuditEntry(w.mine, { id: w.entries[1]!.id });
    expect(entry).toMatchObject({
      before: { name: 'Maps' },
      after: { name: 'Maps v2' },
      action: 'api.update',
    });
    const error = await getAuditEntry(w.theirs, { id: w.entries[1]!.id }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('NOT_FOUND');
  });
});

describe('auditFacets', () => {
  it("offers the org's actors and target types only", async () => {
    const facets = await auditFacets(w.mine);
    expect(facets.actors.map((a) => a.id).sort()).toEqual([w.owner.id, w.admin.id].sort());
    expect(facets.targetTypes).toEqual(['Api', 'Invitation', 'Plan']);
  });
});
