import { conflict, notFound } from '@portcullis/core/errors';
import type { AppCreateInput } from '@portcullis/core/schemas';
import type { Role } from '@portcullis/db';
import { type ActorCtx, inTransaction, isUniqueViolation, type OrgCtx, writeAudit } from './context.ts';

const APP_NAME_TAKEN = 'An app with this name already exists';

export async function createApp(ctx: OrgCtx, input: AppCreateInput) {
  try {
    return await inTransaction(ctx.db, async (tx) => {
      const taken = await tx.app.findFirst({
        where: { orgId: ctx.org.id, name: input.name },
        select: { id: true },
      });
      if (taken) throw conflict(APP_NAME_TAKEN, { name: APP_NAME_TAKEN });
      const app = await tx.app.create({
        data: { orgId: ctx.org.id, name: input.name, description: input.description },
      });
      await writeAudit(tx, ctx.actor, {
        orgId: ctx.org.id,
        action: 'app.create',
        targetType: 'App',
        targetId: app.id,
        after: { name: app.name },
      });
      return app;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(APP_NAME_TAKEN, { name: APP_NAME_TAKEN });
    throw error;
  }
}

export async function listApps(ctx: OrgCtx) {
  return ctx.db.app.findMany({
    where: { orgId: ctx.org.id },
    select: {
      id: true,
      name: true,
      description: true,
      createdAt: true,
      _count: { select: { subscriptions: true, apiKeys: { where: { revokedAt: null } } } },
    },
    orderBy: { createdAt: 'desc' },
  });
}

export async function getApp(ctx: OrgCtx, input: { appId: string }) {
  const app = await ctx.db.app.findFirst({
    where: { id: input.appId, orgId: ctx.org.id },
    select: { id: true, name: true, description: true, createdAt: true },
  });
  if (!app) throw notFound('App');
  return app;
}

/** Apps across every org where the actor holds one of `roles` (e.g. those allowed to subscribe). */
export async function listAppsForActor(ctx: ActorCtx, roles: readonly Role[]) {
  const apps = await ctx.db.app.findMany({
    where: { org: { memberships: { some: { userId: ctx.actor.id, role: { in: [...roles] } } } } },
    select: { id: true, name: true, org: { select: { slug: true, name: true } } },
    orderBy: [{ org: { name: 'asc' } }, { name: 'asc' }],
  });
  return apps.map((a) => ({ id: a.id, name: a.name, orgSlug: a.org.slug, orgName: a.org.name }));
}
