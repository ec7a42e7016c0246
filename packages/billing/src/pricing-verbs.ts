import { type PlanPricing, ZPlanPricing } from '@portcullis/core/billing/pricing';
import { conflict, notFound } from '@portcullis/core/errors';
import type { Prisma } from '@portcullis/db';
import { inTransaction, notifyConfig, type OrgCtx, writeAudit } from '@portcullis/services/verbs/context';
import { planPricingOf } from './invoicing.ts';

/**
 * Provider-side pricing of a plan (ZPlanPricing in Plan.pricing). Gateways cache plans, so a change
 * is announced on the config channel in the same transaction (quota mode and billable rule matter
 * to them).
 */

/** The pricing of one of ctx.org's plans, for the pricing editor. */
export async function getPlanPricing(ctx: OrgCtx, input: { planId: string }) {
  const plan = await ctx.db.plan.findFirst({
    where: { id: input.planId, api: { orgId: ctx.org.id } },
    select: {
      id: true,
      name: true,
      pricing: true,
      priceMonthlyMinor: true,
      currency: true,
      monthlyQuota: true,
    },
  });
  if (!plan) throw notFound('Plan');
  const parsed = ZPlanPricing.safeParse(plan.pricing);
  return {
    planId: plan.id,
    name: plan.name,
    monthlyQuota: plan.monthlyQuota,
    pricing: parsed.success ? planPricingOf(plan) : null,
  };
}

/** Sets a plan's pricing (already validated by ZPlanPricing); Plan.currency follows it. */
export async function setPlanPricing(ctx: OrgCtx, input: { planId: string; pricing: PlanPricing }) {
  return inTransaction(ctx.db, async (tx) => {
    const plan = await tx.plan.findFirst({
      where: { id: input.planId, api: { orgId: ctx.org.id } },
      select: { id: true, pricing: true, currency: true, archivedAt: true },
    });
    if (!plan) throw notFound('Plan');
    if (plan.archivedAt) throw conflict('An archived plan cannot be changed');
    const updated = await tx.plan.update({
      where: { id: plan.id },
      data: { pricing: input.pricing as Prisma.InputJsonObject, currency: input.pricing.currency },
      select: { id: true, pricing: true, currency: true },
    });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'plan.setPricing',
      targetType: 'Plan',
      targetId: plan.id,
      before: { pricing: plan.pricing as Prisma.InputJsonValue, currency: plan.currency },
      after: { pricing: input.pricing as Prisma.InputJsonObject, currency: updated.currency },
    });
    await notifyConfig(tx, { kind: 'plan', id: plan.id });
    return { planId: updated.id, pricing: input.pricing, currency: updated.currency };
  });
}
