import { conflict, notFound } from '@portcullis/core/errors';
import { parsePlanLimits, ZPlanLimits } from '@portcullis/core/policies';
import type { PlanCreateInput, PlanUpdateInput } from '@portcullis/core/schemas';
import type { Prisma } from '@portcullis/db';
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

const planLimitsSnapshot = (plan: {
  rateLimit: number | null;
  rateLimitWindowSeconds: number;
  monthlyQuota: number | null;
  requiresApproval: boolean;
  limits: unknown;
}) => ({
  rateLimit: plan.rateLimit,
  rateLimitWindowSeconds: plan.rateLimitWindowSeconds,
  monthlyQuota: plan.monthlyQuota,
  requiresApproval: plan.requiresApproval,
  limits: parsePlanLimits(plan.limits),
});

/** A plan of one of ctx.org's APIs, or NOT_FOUND. */
async function findOwnPlan(tx: OrgCtx['db'], ctx: OrgCtx, planId: string) {
  const plan = await tx.plan.findFirst({ where: { id: planId, api: { orgId: ctx.org.id } } });
  if (!plan) throw notFound('Plan');
  return plan;
}

/** Edits the primary window, quota, approval and the extra windows (Plan.limits, ZPlanLimits). */
export async function updatePlanLimits(ctx: OrgCtx, input: PlanUpdateInput) {
  const limits = ZPlanLimits.parse(input.limits);
  return inTransaction(ctx.db, async (tx) => {
    const plan = await findOwnPlan(tx, ctx, input.planId);
    if (plan.archivedAt) throw conflict('An archived plan cannot be changed');
    const updated = await tx.plan.update({
      where: { id: plan.id },
      data: {
        rateLimit: input.rateLimit,
        rateLimitWindowSeconds: input.rateLimitWindowSeconds,
        monthlyQuota: input.monthlyQuota,
        requiresApproval: input.requiresApproval,
        limits: limits as Prisma.InputJsonArray,
      },
    });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'plan.updateLimits',
      targetType: 'Plan',
      targetId: plan.id,
      before: planLimitsSnapshot(plan),
      after: planLimitsSnapshot(updated),
    });
    await notifyConfig(tx, { kind: 'plan', id: plan.id });
    return { ...updated, limits: parsePlanLimits(updated.limits) };
  });
}

/** Archived plans leave the catalog (no new subscriptions); existing subscriptions keep working. */
export async function archivePlan(ctx: OrgCtx, input: { planId: string }) {
  return inTransaction(ctx.db, async (tx) => {
    const plan = await findOwnPlan(tx, ctx, input.planId);
    const { count } = await tx.plan.updateMany({
      where: { id: plan.id, archivedAt: null },
      data: { archivedAt: new Date() },
    });
    if (count === 0) throw conflict('This plan is already archived');
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'plan.archive',
      targetType: 'Plan',
      targetId: plan.id,
      before: { archived: false },
      after: { archived: true },
    });
    await notifyConfig(tx, { kind: 'plan', id: plan.id });
    return { id: plan.id, archived: true };
  });
}
