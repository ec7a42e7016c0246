import { pricingFromLegacyPlan, ZPlanPricing } from '@portcullis/core/billing/pricing';
import { notFound } from '@portcullis/core/errors';
import { diffOpenApi } from '@portcullis/core/openapi-diff';
import { ZSlugRef } from '@portcullis/core/schemas';
import { type Db, Prisma, type Tx } from '@portcullis/db';
import { z } from 'zod';
import { deprecatedAtOf } from './lifecycle.ts';

/** The catalog may be browsed signed out (actor null). */
export interface ViewerCtx {
  db: Db | Tx;
  actor: { id: string } | null;
}

/**
 * Who is looking: a signed-out visitor, a signed-in user (through all their memberships) or one org
 * (e.g. the org whose app subscribes).
 */
export type Viewer =
  | { kind: 'anonymous' }
  | { kind: 'user'; userId: string }
  | { kind: 'org'; orgId: string };

const viewerOf = (actor: { id: string } | null): Viewer =>
  actor ? { kind: 'user', userId: actor.id } : { kind: 'anonymous' };

const LISTED: Prisma.ApiWhereInput = { status: { in: ['PUBLISHED', 'DEPRECATED'] } };

/**
 * The one place that decides which APIs a viewer may see:
 * - its own org sees every API it owns, drafts and retired ones included;
 * - PUBLIC published/deprecated APIs: every signed-in user; anonymous visitors only when the owning
 *   tenant allows anonymous browsing;
 * - ORG published/deprecated APIs: the orgs the API is shared with (ApiShare);
 * - PRIVATE: nobody else;
 * - RETIRED: besides its org, whoever still has a subscription to it (so they can read what happened).
 */
export function apiVisibilityWhere(viewer: Viewer): Prisma.ApiWhereInput {
  if (viewer.kind === 'anonymous') {
    return { ...LISTED, visibility: 'PUBLIC', org: { allowAnonymousBrowse: true } };
  }
  const viewerOrg: Prisma.OrganizationWhereInput =
    viewer.kind === 'user' ? { memberships: { some: { userId: viewer.userId } } } : { id: viewer.orgId };
  return {
    OR: [
      { org: viewerOrg },
      { ...LISTED, visibility: 'PUBLIC' },
      { ...LISTED, visibility: 'ORG', shares: { some: { org: viewerOrg } } },
      { status: 'RETIRED', plans: { some: { subscriptions: { some: { app: { org: viewerOrg } } } } } },
    ],
  };
}

/** `active` = published or deprecated (what a developer can use); `any` = everything the viewer may see. */
const CATALOG_STATUS_FILTERS = ['active', 'PUBLISHED', 'DEPRECATED', 'DRAFT', 'RETIRED', 'any'] as const;

export const ZCatalogSearch = z.object({
  q: z.string().trim().max(100, 'Search at most 100 characters').default(''),
  /** slug of the providing org; '' = all */
  org: z.string().trim().toLowerCase().max(40).default(''),
  tag: z.string().trim().toLowerCase().max(30).default(''),
  status: z.enum(CATALOG_STATUS_FILTERS).default('active'),
  page: z.number().int().min(1).max(10_000).default(1),
  pageSize: z.number().int().min(1).max(48).default(12),
});
export type CatalogSearchInput = z.input<typeof ZCatalogSearch>;

function statusWhere(status: (typeof CATALOG_STATUS_FILTERS)[number]): Prisma.ApiWhereInput {
  if (status === 'any') return {};
  if (status === 'active') return LISTED;
  return { status };
}

function searchWhere(input: z.output<typeof ZCatalogSearch>): Prisma.ApiWhereInput[] {
  const where: Prisma.ApiWhereInput[] = [statusWhere(input.status)];
  if (input.q) {
    where.push({
      OR: [
        { name: { contains: input.q, mode: 'insensitive' } },
        { description: { contains: input.q, mode: 'insensitive' } },
        // Tags are stored lower-case (see ZApiTag), so one lower-case lookup is case-insensitive.
        { tags: { has: input.q.toLowerCase() } },
      ],
    });
  }
  if (input.org) where.push({ org: { slug: input.org } });
  if (input.tag) where.push({ tags: { has: input.tag } });
  return where;
}

export async function searchCatalog(ctx: ViewerCtx, raw: CatalogSearchInput = {}) {
  const input = ZCatalogSearch.parse(raw);
  const where: Prisma.ApiWhereInput = {
    AND: [apiVisibilityWhere(viewerOf(ctx.actor)), ...searchWhere(input)],
  };
  const [total, items] = await Promise.all([
    ctx.db.api.count({ where }),
    ctx.db.api.findMany({
      where,
      select: {
        id: true,
        slug: true,
        name: true,
        description: true,
        status: true,
        visibility: true,
        version: true,
        tags: true,
        sunsetAt: true,
        org: { select: { slug: true, name: true } },
        _count: { select: { plans: { where: { archivedAt: null } } } },
      },
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
      skip: (input.page - 1) * input.pageSize,
      take: input.pageSize,
    }),
  ]);
  return {
    items,
    total,
    page: input.page,
    pageSize: input.pageSize,
    pageCount: Math.max(1, Math.ceil(total / input.pageSize)),
  };
}

/**
 * apiVisibilityWhere as a SQL condition on `a` ("Api") joined with `o` (its "Organization"), for
 * aggregates Prisma cannot express. The same rules, case by case; a test holds the two to the same
 * answers for every kind of viewer.
 */
export function apiVisibilitySql(viewer: Viewer): Prisma.Sql {
  const listed = Prisma.sql`a.status IN ('PUBLISHED', 'DEPRECATED')`;
  if (viewer.kind === 'anonymous') {
    return Prisma.sql`(${listed} AND a.visibility = 'PUBLIC' AND o."allowAnonymousBrowse")`;
  }
  const viewerOrgs =
    viewer.kind === 'user'
      ? Prisma.sql`(SELECT m."orgId" FROM "Membership" m WHERE m."userId" = ${viewer.userId})`
      : Prisma.sql`(SELECT ${viewer.orgId}::text)`;
  return Prisma.sql`(
    a."orgId" IN ${viewerOrgs}
    OR (${listed} AND a.visibility = 'PUBLIC')
    OR (${listed} AND a.visibility = 'ORG'
      AND EXISTS (SELECT 1 FROM "ApiShare" sh WHERE sh."apiId" = a.id AND sh."orgId" IN ${viewerOrgs}))
    OR (a.status = 'RETIRED' AND EXISTS (
      SELECT 1 FROM "Plan" p JOIN "Subscription" s ON s."planId" = p.id JOIN "App" ap ON ap.id = s."appId"
      WHERE p."apiId" = a.id AND ap."orgId" IN ${viewerOrgs})))`;
}

const TOP_TAGS = 50;

/**
 * The orgs and tags of everything the viewer may see, for the catalog's filter controls: every org
 * with how many of its APIs the viewer sees, and the most used tags, counted in Postgres over all
 * visible APIs (GROUP BY), whatever their number.
 */
export async function catalogFacets(ctx: ViewerCtx) {
  const visible = apiVisibilitySql(viewerOf(ctx.actor));
  const [orgs, tags] = await Promise.all([
    ctx.db.$queryRaw<Array<{ slug: string; name: string; count: number }>>`
      SELECT o.slug, o.name, count(*)::int AS count
      FROM "Api" a JOIN "Organization" o ON o.id = a."orgId"
      WHERE ${visible}
      GROUP BY o.id, o.slug, o.name`,
    ctx.db.$queryRaw<Array<{ tag: string; count: number }>>`
      SELECT t.tag, count(*)::int AS count
      FROM "Api" a JOIN "Organization" o ON o.id = a."orgId" CROSS JOIN LATERAL unnest(a.tags) AS t(tag)
      WHERE ${visible}
      GROUP BY t.tag
      ORDER BY count DESC, t.tag
      LIMIT ${TOP_TAGS}`,
  ]);
  return {
    orgs: orgs.sort((a, b) => a.name.localeCompare(b.name) || a.slug.localeCompare(b.slug)),
    tags,
  };
}

/**
 * How many published or deprecated APIs the viewer cannot see (private, shared with other orgs, or, for
 * signed-out visitors, of tenants that keep their catalog to signed-in developers), and how many of those
 * signing in would show. Counts only, over the whole catalog: no filter narrows them, so they cannot be
 * used to probe for an API's name.
 */
export async function countHiddenApis(ctx: ViewerCtx): Promise<{ hidden: number; afterSignIn: number }> {
  const viewer = viewerOf(ctx.actor);
  const hiddenWhere: Prisma.ApiWhereInput = { AND: [LISTED, { NOT: apiVisibilityWhere(viewer) }] };
  const [hidden, afterSignIn] = await Promise.all([
    ctx.db.api.count({ where: hiddenWhere }),
    viewer.kind === 'anonymous'
      ? ctx.db.api.count({ where: { AND: [hiddenWhere, { visibility: 'PUBLIC' }] } })
      : Promise.resolve(0),
  ]);
  return { hidden, afterSignIn };
}

export const ZCatalogApiRef = z.object({ orgSlug: ZSlugRef, apiSlug: ZSlugRef });

/** The API if the viewer may see it, else NOT_FOUND (the try-it proxy checks this before forwarding). */
export async function findVisibleApi(ctx: ViewerCtx, input: { orgSlug: string; apiSlug: string }) {
  const api = await ctx.db.api.findFirst({
    where: {
      AND: [apiVisibilityWhere(viewerOf(ctx.actor)), { slug: input.apiSlug, org: { slug: input.orgSlug } }],
    },
    select: { id: true, version: true, openapiSpec: true },
  });
  if (!api) throw notFound('API');
  return api;
}

/** Plan.pricing as stored, or the legacy price columns when it cannot be read. */
function readPricing(plan: { pricing: unknown; priceMonthlyMinor: number; currency: string }) {
  const parsed = ZPlanPricing.safeParse(plan.pricing ?? {});
  return parsed.success ? parsed.data : pricingFromLegacyPlan(plan);
}

export async function getCatalogApi(ctx: ViewerCtx, input: { orgSlug: string; apiSlug: string }) {
  const api = await ctx.db.api.findFirst({
    where: {
      AND: [apiVisibilityWhere(viewerOf(ctx.actor)), { slug: input.apiSlug, org: { slug: input.orgSlug } }],
    },
    select: {
      id: true,
      slug: true,
      name: true,
      description: true,
      status: true,
      version: true,
      visibility: true,
      tags: true,
      publishedAt: true,
      sunsetAt: true,
      openapiSpec: true,
      kind: true,
      org: { select: { slug: true, name: true } },
      plans: {
        where: { archivedAt: null },
        orderBy: { createdAt: 'asc' },
        select: {
          id: true,
          name: true,
          description: true,
          rateLimit: true,
          rateLimitWindowSeconds: true,
          monthlyQuota: true,
          requiresApproval: true,
          priceMonthlyMinor: true,
          currency: true,
          pricing: true,
        },
      },
      changelog: {
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: 100,
        select: { id: true, version: true, title: true, body: true, breaking: true, createdAt: true },
      },
      specVersions: { orderBy: { createdAt: 'desc' }, select: { version: true, createdAt: true } },
    },
  });
  if (!api) throw notFound('API');
  // The viewer's own subscriptions to this API, so the page can show where each app stands.
  const mySubscriptions = ctx.actor
    ? await ctx.db.subscription.findMany({
        where: {
          plan: { apiId: api.id },
          app: { org: { memberships: { some: { userId: ctx.actor.id } } } },
        },
        select: {
          id: true,
          appId: true,
          planId: true,
          status: true,
          pendingReason: true,
          rejectionReason: true,
        },
        orderBy: { createdAt: 'desc' },
      })
    : [];
  const deprecatedAt = api.status === 'DEPRECATED' ? await deprecatedAtOf(ctx.db, api.id) : null;
  return {
    ...api,
    plans: api.plans.map(({ pricing, ...plan }) => ({ ...plan, pricing: readPricing({ pricing, ...plan }) })),
    deprecatedAt,
    mySubscriptions,
  };
}

const CURRENT_SPEC = 'current';

export const ZCatalogSpecRef = ZCatalogApiRef.extend({ version: z.string().trim().min(1).max(40) });
export const ZCatalogCompare = ZCatalogApiRef.extend({
  from: z.string().trim().min(1).max(40),
  to: z.string().trim().min(1).max(40),
});

/** One version's document: a published snapshot, or `current` (what the gateway serves now). */
async function specOf(
  ctx: ViewerCtx,
  api: { id: string; version: string; openapiSpec: unknown },
  version: string,
): Promise<{ version: string; label: string; spec: unknown }> {
  if (version === CURRENT_SPEC) {
    if (api.openapiSpec === null) throw notFound('OpenAPI document');
    return { version, label: `${api.version} (current)`, spec: api.openapiSpec };
  }
  const row = await ctx.db.apiSpecVersion.findFirst({
    where: { apiId: api.id, version },
    select: { version: true, spec: true },
  });
  if (!row) throw notFound('Version');
  return { version: row.version, label: row.version, spec: row.spec };
}

export async function getCatalogSpec(ctx: ViewerCtx, input: z.infer<typeof ZCatalogSpecRef>) {
  return specOf(ctx, await findVisibleApi(ctx, input), input.version);
}

/** Two versions side by side, and what changed between them (breaking changes flagged). */
export async function compareCatalogVersions(ctx: ViewerCtx, input: z.infer<typeof ZCatalogCompare>) {
  const api = await findVisibleApi(ctx, input);
  const [from, to] = await Promise.all([specOf(ctx, api, input.from), specOf(ctx, api, input.to)]);
  return { from, to, diff: diffOpenApi(from.spec, to.spec) };
}

/**
 * For the "try it" console: the viewer's apps subscribed to this API and the hints of their live keys
 * (never the keys themselves, which are shown once at creation).
 */
export async function listMyAppsForApi(
  ctx: ViewerCtx & { actor: { id: string } },
  input: z.infer<typeof ZCatalogApiRef>,
) {
  const api = await findVisibleApi(ctx, input);
  const now = new Date();
  const subscriptions = await ctx.db.subscription.findMany({
    where: {
      plan: { apiId: api.id },
      status: { in: ['ACTIVE', 'PENDING', 'SUSPENDED'] },
      app: { org: { memberships: { some: { userId: ctx.actor.id } } } },
    },
    select: {
      status: true,
      pendingReason: true,
      plan: { select: { name: true } },
      app: {
        select: {
          id: true,
          name: true,
          org: { select: { slug: true, name: true } },
          apiKeys: {
            where: { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
            select: { id: true, name: true, prefix: true, last4: true },
            orderBy: { createdAt: 'desc' },
          },
        },
      },
    },
    orderBy: { createdAt: 'desc' },
  });
  return subscriptions.map((s) => ({
    appId: s.app.id,
    appName: s.app.name,
    orgSlug: s.app.org.slug,
    orgName: s.app.org.name,
    planName: s.plan.name,
    status: s.status,
    pendingReason: s.pendingReason,
    keys: s.app.apiKeys,
  }));
}
