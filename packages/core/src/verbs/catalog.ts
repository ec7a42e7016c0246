import type { Db, Prisma, Tx } from '@portcullis/db';
import { notFound } from '../errors.ts';

/** The catalog may be browsed signed out (actor null): then only PUBLIC APIs are visible. */
export interface ViewerCtx {
  db: Db | Tx;
  actor: { id: string } | null;
}

async function visibleApiFilter(ctx: ViewerCtx): Promise<Prisma.ApiWhereInput> {
  const listed: Prisma.ApiWhereInput = { status: { in: ['PUBLISHED', 'DEPRECATED'] } };
  if (!ctx.actor) return { ...listed, visibility: 'PUBLIC' };
  const memberships = await ctx.db.membership.findMany({
    where: { userId: ctx.actor.id },
    select: { orgId: true },
  });
  const orgIds = memberships.map((m) => m.orgId);
  return { ...listed, OR: [{ visibility: 'PUBLIC' }, { orgId: { in: orgIds } }] };
}

export async function listCatalog(ctx: ViewerCtx) {
  return ctx.db.api.findMany({
    where: await visibleApiFilter(ctx),
    select: {
      id: true,
      slug: true,
      name: true,
      description: true,
      status: true,
      visibility: true,
      org: { select: { slug: true, name: true } },
      _count: { select: { plans: { where: { archivedAt: null } } } },
    },
    orderBy: [{ name: 'asc' }, { createdAt: 'asc' }],
    take: 200,
  });
}

export async function getCatalogApi(ctx: ViewerCtx, input: { orgSlug: string; apiSlug: string }) {
  const api = await ctx.db.api.findFirst({
    where: { AND: [await visibleApiFilter(ctx), { slug: input.apiSlug, org: { slug: input.orgSlug } }] },
    select: {
      id: true,
      slug: true,
      name: true,
      description: true,
      status: true,
      version: true,
      visibility: true,
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
        },
      },
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
        select: { id: true, appId: true, planId: true, status: true, rejectionReason: true },
        orderBy: { createdAt: 'desc' },
      })
    : [];
  return { ...api, mySubscriptions };
}
