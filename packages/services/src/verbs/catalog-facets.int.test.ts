import { randomBytes } from 'node:crypto';
import { getDb } from '@portcullis/db';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedOrg, seedUser } from '../../../../test/fixtures.ts';
import { apiVisibilitySql, apiVisibilityWhere, catalogFacets, type Viewer } from './catalog.ts';

const db = getDb();

/** 1,001 orgs with 5 published PUBLIC APIs each (5,005), their tags, and what only some viewers see. */
async function seedLargeCatalog() {
  const run = randomBytes(4).toString('hex');
  const orgCount = 1_001;
  const orgs = Array.from({ length: orgCount }, (_, i) => ({
    id: `facet_${run}_org_${i}`,
    slug: `facet-${run}-${i}`,
    name: `Facet ${run} ${String(i).padStart(4, '0')}`,
    // every third tenant lets signed-out visitors browse
    allowAnonymousBrowse: i % 3 === 0,
  }));
  await db.organization.createMany({ data: orgs });
  const apis = orgs.flatMap((org, i) =>
    Array.from({ length: 5 }, (_, n) => ({
      id: `${org.id}_api_${n}`,
      orgId: org.id,
      slug: `api-${n}`,
      name: `API ${i}.${n}`,
      upstreamUrl: 'https://upstream.example.test',
      status: 'PUBLISHED' as const,
      visibility: 'PUBLIC' as const,
      tags: [`facet-${run}-all`, `facet-${run}-n${n}`],
    })),
  );
  await db.api.createMany({ data: apis });
  // Seen by their own members only (drafts, private) or by the orgs they are shared with.
  const owner = await seedUser(db, 'facets');
  const mine = await seedOrg(db, owner.id, 'OWNER', 'facets-mine');
  const hidden = orgs[1] as (typeof orgs)[number];
  const shared = orgs[2] as (typeof orgs)[number];
  await db.api.createMany({
    data: [
      {
        id: `${hidden.id}_private`,
        orgId: hidden.id,
        slug: 'private',
        name: 'Private',
        upstreamUrl: 'https://x.test',
        status: 'PUBLISHED',
        visibility: 'PRIVATE',
        tags: [`facet-${run}-all`],
      },
      {
        id: `${hidden.id}_draft`,
        orgId: hidden.id,
        slug: 'draft',
        name: 'Draft',
        upstreamUrl: 'https://x.test',
        status: 'DRAFT',
        visibility: 'PUBLIC',
        tags: [`facet-${run}-all`],
      },
      {
        id: `${shared.id}_shared`,
        orgId: shared.id,
        slug: 'shared',
        name: 'Shared',
        upstreamUrl: 'https://x.test',
        status: 'PUBLISHED',
        visibility: 'ORG',
        tags: [`facet-${run}-all`],
      },
      {
        id: `${mine.id}_draft`,
        orgId: mine.id,
        slug: 'draft',
        name: 'My draft',
        upstreamUrl: 'https://x.test',
        status: 'DRAFT',
        visibility: 'PRIVATE',
        tags: [],
      },
    ],
  });
  await db.apiShare.create({ data: { apiId: `${shared.id}_shared`, orgId: mine.id } });
  // A retired API stays visible to the orgs still subscribed to it.
  const retired = await db.api.create({
    data: {
      orgId: hidden.id,
      slug: 'retired',
      name: 'Retired',
      upstreamUrl: 'https://x.test',
      status: 'RETIRED',
    },
  });
  const plan = await db.plan.create({ data: { apiId: retired.id, name: 'Old' } });
  const app = await db.app.create({ data: { orgId: mine.id, name: 'facets app' } });
  await db.subscription.create({ data: { appId: app.id, planId: plan.id, status: 'CANCELLED' } });
  const stranger = await seedUser(db, 'stranger');
  return { run, orgs, mine, owner, stranger, shared, hidden };
}

describe('catalog facets over a catalog of more than 5,000 APIs', () => {
  let world: Awaited<ReturnType<typeof seedLargeCatalog>>;
  beforeAll(async () => {
    world = await seedLargeCatalog();
  }, 120_000);

  const ours = (orgs: Array<{ slug: string; count: number }>) =>
    new Map(orgs.filter((o) => o.slug.startsWith(`facet-${world.run}-`)).map((o) => [o.slug, o.count]));

  it('lists every org with the number of its APIs the viewer may see', async () => {
    const signedIn = await catalogFacets({ db, actor: { id: world.owner.id } });
    const counts = ours(signedIn.orgs);
    expect(counts.size).toBe(1_001);
    for (const org of world.orgs) {
      const extra = org.id === world.shared.id || org.id === world.hidden.id ? 1 : 0;
      expect(counts.get(org.slug), org.slug).toBe(5 + extra);
    }
    expect(signedIn.orgs).toContainEqual({ slug: world.mine.slug, name: world.mine.name, count: 1 });
    expect(signedIn.tags).toContainEqual({ tag: `facet-${world.run}-all`, count: 5_006 });
    expect(signedIn.tags).toContainEqual({ tag: `facet-${world.run}-n4`, count: 1_001 });

    expect(counts.get(world.hidden.slug)).toBe(6); // its retired API, through the subscription

    const stranger = ours((await catalogFacets({ db, actor: { id: world.stranger.id } })).orgs);
    expect(stranger.size).toBe(1_001);
    expect(stranger.get(world.shared.slug)).toBe(5);
    expect(stranger.get(world.hidden.slug)).toBe(5);
  });

  it('shows signed-out visitors only the tenants that allow anonymous browsing', async () => {
    const anonymous = await catalogFacets({ db, actor: null });
    const counts = ours(anonymous.orgs);
    expect(counts.size).toBe(334);
    for (const org of world.orgs) expect(counts.get(org.slug)).toBe(org.allowAnonymousBrowse ? 5 : undefined);
    expect(anonymous.orgs.some((o) => o.slug === world.mine.slug)).toBe(false);
    expect(anonymous.tags).toContainEqual({ tag: `facet-${world.run}-all`, count: 334 * 5 });
  });

  it('decides visibility in SQL exactly as apiVisibilityWhere does, for every kind of viewer', async () => {
    const orgIds = [world.mine.id, world.hidden.id, world.shared.id, (world.orgs[0] as { id: string }).id];
    const viewers: Viewer[] = [
      { kind: 'anonymous' },
      { kind: 'user', userId: world.owner.id },
      { kind: 'user', userId: world.stranger.id },
      { kind: 'org', orgId: world.mine.id },
      { kind: 'org', orgId: world.hidden.id },
    ];
    for (const viewer of viewers) {
      const byPrisma = await db.api.findMany({
        where: { AND: [apiVisibilityWhere(viewer), { orgId: { in: orgIds } }] },
        select: { id: true },
      });
      const bySql = await db.$queryRaw<Array<{ id: string }>>`
        SELECT a.id FROM "Api" a JOIN "Organization" o ON o.id = a."orgId"
        WHERE ${apiVisibilitySql(viewer)} AND a."orgId" = ANY(${orgIds})`;
      expect(bySql.map((r) => r.id).sort(), viewer.kind).toEqual(byPrisma.map((r) => r.id).sort());
    }
  });
});
