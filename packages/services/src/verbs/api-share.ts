import { badRequest, conflict, notFound } from '@portcullis/core/errors';
import { ZId, ZSlugRef } from '@portcullis/core/schemas';
import { z } from 'zod';
import { inTransaction, isUniqueViolation, type OrgCtx, writeAudit } from './context.ts';

/** Who else sees an API: ORG-visibility shares with other orgs, and the tenant's anonymous browsing. */

export const ZApiShareAdd = z.object({
  apiId: ZId,
  /** slug of the org (team) to share with; not `orgSlug`, which names the acting org */
  shareWithSlug: ZSlugRef,
});
export const ZApiShareRemove = z.object({ apiId: ZId, sharedOrgId: ZId });
export const ZAnonymousBrowse = z.object({ allowAnonymousBrowse: z.boolean() });

async function ownApi(ctx: OrgCtx, apiId: string) {
  const api = await ctx.db.api.findFirst({
    where: { id: apiId, orgId: ctx.org.id },
    select: { id: true, visibility: true },
  });
  if (!api) throw notFound('API');
  return api;
}

export async function listApiShares(ctx: OrgCtx, input: { apiId: string }) {
  const api = await ownApi(ctx, input.apiId);
  const shares = await ctx.db.apiShare.findMany({
    where: { apiId: api.id, api: { orgId: ctx.org.id } },
    select: { createdAt: true, org: { select: { id: true, slug: true, name: true } } },
    orderBy: { createdAt: 'asc' },
  });
  return { visibility: api.visibility, shares: shares.map((s) => ({ ...s.org, sharedAt: s.createdAt })) };
}

const UNKNOWN_ORG = 'No organization with this slug';

export async function addApiShare(ctx: OrgCtx, input: z.infer<typeof ZApiShareAdd>) {
  try {
    return await inTransaction(ctx.db, async (tx) => {
      const api = await ownApi({ ...ctx, db: tx }, input.apiId);
      const target = await tx.organization.findUnique({
        where: { slug: input.shareWithSlug },
        select: { id: true, slug: true, name: true },
      });
      // Sharing names an org by slug; whether it exists is no secret worth a different answer shape.
      if (!target) throw badRequest(UNKNOWN_ORG, { shareWithSlug: UNKNOWN_ORG });
      if (target.id === ctx.org.id) {
        throw badRequest('Your own organization always sees its APIs', {
          shareWithSlug: 'Your own organization always sees its APIs',
        });
      }
      const existing = await tx.apiShare.findUnique({
        where: { apiId_orgId: { apiId: api.id, orgId: target.id } },
        select: { orgId: true },
      });
      if (existing)
        throw conflict('Already shared with this organization', { shareWithSlug: 'Already shared' });
      await tx.apiShare.create({ data: { apiId: api.id, orgId: target.id } });
      await writeAudit(tx, ctx.actor, {
        orgId: ctx.org.id,
        action: 'api.share.add',
        targetType: 'Api',
        targetId: api.id,
        after: { sharedWith: target.slug, sharedOrgId: target.id },
      });
      return target;
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw conflict('Already shared with this organization', { shareWithSlug: 'Already shared' });
    throw error;
  }
}

export async function removeApiShare(ctx: OrgCtx, input: z.infer<typeof ZApiShareRemove>) {
  return inTransaction(ctx.db, async (tx) => {
    const api = await ownApi({ ...ctx, db: tx }, input.apiId);
    const share = await tx.apiShare.findUnique({
      where: { apiId_orgId: { apiId: api.id, orgId: input.sharedOrgId } },
      select: { org: { select: { id: true, slug: true } } },
    });
    if (!share) throw notFound('Share');
    await tx.apiShare.delete({ where: { apiId_orgId: { apiId: api.id, orgId: input.sharedOrgId } } });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'api.share.remove',
      targetType: 'Api',
      targetId: api.id,
      before: { sharedWith: share.org.slug, sharedOrgId: share.org.id },
    });
    return { apiId: api.id, sharedOrgId: share.org.id, removed: true };
  });
}

export async function getCatalogSettings(ctx: OrgCtx) {
  const org = await ctx.db.organization.findUnique({
    where: { id: ctx.org.id },
    select: { allowAnonymousBrowse: true },
  });
  if (!org) throw notFound('Organization');
  return org;
}

/** Lets signed-out visitors browse this tenant's PUBLIC APIs (only those; nothing else of the org). */
export async function setAnonymousBrowse(ctx: OrgCtx, input: z.infer<typeof ZAnonymousBrowse>) {
  return inTransaction(ctx.db, async (tx) => {
    const before = await tx.organization.findUnique({
      where: { id: ctx.org.id },
      select: { allowAnonymousBrowse: true },
    });
    if (!before) throw notFound('Organization');
    const after = await tx.organization.update({
      where: { id: ctx.org.id },
      data: { allowAnonymousBrowse: input.allowAnonymousBrowse },
      select: { allowAnonymousBrowse: true },
    });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'org.setAnonymousBrowse',
      targetType: 'Organization',
      targetId: ctx.org.id,
      before,
      after,
    });
    return after;
  });
}
