import { notFound } from '../errors.ts';
import type { PlanCreateInput } from '../schemas.ts';
import { inTransaction, notifyConfig, type OrgCtx, writeAudit } from './context.ts';

export async function createPlan(ctx: OrgCtx, input: PlanCreateInput) {
  return inTransaction(ctx.db, async (tx) => {
    const api = await tx.api.findFirst({
      where: { id: input.apiId, orgId: ctx.org.id },
      select: { id: true },
    });
    if (!api) throw notFound('API');
    const plan = await tx.plan.create({
      data: {
        apiId: api.id,
        name: input.name,
        rateLimit: input.rateLimit,
        rateLimitWindowSeconds: input.rateLimitWindowSeconds,
        monthlyQuota: input.monthlyQuota,
        requiresApproval: input.requiresApproval,
      },
    });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'plan.create',
      targetType: 'Plan',
      targetId: plan.id,
      after: {
        apiId: api.id,
        name: plan.name,
        rateLimit: plan.rateLimit,
        rateLimitWindowSeconds: plan.rateLimitWindowSeconds,
        monthlyQuota: plan.monthlyQuota,
        requiresApproval: plan.requiresApproval,
      },
    });
    await notifyConfig(tx, { kind: 'plan', id: plan.id });
    return plan;
  });
}

export async function listPlans(ctx: OrgCtx, input: { apiId: string }) {
  const api = await ctx.db.api.findFirst({
    where: { id: input.apiId, orgId: ctx.org.id },
    select: { id: true },
  });
  if (!api) throw notFound('API');
  return ctx.db.plan.findMany({
    where: { apiId: api.id, archivedAt: null, api: { orgId: ctx.org.id } },
    orderBy: { createdAt: 'asc' },
  });
}
