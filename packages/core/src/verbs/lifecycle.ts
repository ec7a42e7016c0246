import type { ApiStatus } from '@portcullis/db';
import { badRequest, conflict, notFound } from '../errors.ts';
import { inTransaction, notifyConfig, type OrgCtx, writeAudit } from './context.ts';

const RETIRABLE: ApiStatus[] = ['PUBLISHED', 'DEPRECATED'];

/**
 * PUBLISHED → DEPRECATED: still routed, but flagged for consumers to move off. Guarded on the
 * expected status so two admins acting at once cannot both win.
 */
export async function deprecateApi(ctx: OrgCtx, input: { apiId: string }) {
  return transition(ctx, input.apiId, ['PUBLISHED'], 'DEPRECATED', 'api.deprecate');
}

/** PUBLISHED/DEPRECATED → RETIRED: the gateway answers 410 api_retired from then on. */
export async function retireApi(ctx: OrgCtx, input: { apiId: string; confirmSlug: string }) {
  const api = await ctx.db.api.findFirst({
    where: { id: input.apiId, orgId: ctx.org.id },
    select: { slug: true },
  });
  if (!api) throw notFound('API');
  if (api.slug !== input.confirmSlug) {
    throw badRequest('Confirmation does not match', { confirmSlug: `Type "${api.slug}" to confirm` });
  }
  return transition(ctx, input.apiId, RETIRABLE, 'RETIRED', 'api.retire');
}

async function transition(ctx: OrgCtx, apiId: string, from: ApiStatus[], to: ApiStatus, action: string) {
  return inTransaction(ctx.db, async (tx) => {
    const where = { id: apiId, orgId: ctx.org.id };
    const current = await tx.api.findFirst({ where, select: { status: true } });
    if (!current) throw notFound('API');
    const { count } = await tx.api.updateMany({
      where: { ...where, status: { in: from } },
      data: { status: to, ...(to === 'RETIRED' ? { sunsetAt: new Date() } : {}) },
    });
    if (count === 0) {
      throw conflict(
        `Only a ${from.join(' or ').toLowerCase()} API can become ${to} (this one is ${current.status})`,
      );
    }
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action,
      targetType: 'Api',
      targetId: apiId,
      before: { status: current.status },
      after: { status: to },
    });
    await notifyConfig(tx, { kind: 'api', id: apiId });
    return { id: apiId, status: to };
  });
}
