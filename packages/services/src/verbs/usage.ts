import { notFound } from '@portcullis/core/errors';
import { monthStart, nextMonthStart } from '@portcullis/core/periods';
import type { OrgCtx } from './context.ts';

/** Requests this calendar month (UTC) for a subscription of one of ctx.org's apps, against its quota. */
export async function subscriptionUsage(ctx: OrgCtx, input: { subscriptionId: string }, now = new Date()) {
  const subscription = await ctx.db.subscription.findFirst({
    where: { id: input.subscriptionId, app: { orgId: ctx.org.id } },
    select: { id: true, plan: { select: { monthlyQuota: true } } },
  });
  if (!subscription) throw notFound('Subscription');
  const periodStart = monthStart(now);
  const sum = await ctx.db.usageRollup.aggregate({
    where: { subscriptionId: subscription.id, bucketStart: { gte: periodStart } },
    _sum: { requests: true },
  });
  return {
    subscriptionId: subscription.id,
    used: Number(sum._sum.requests ?? 0n),
    quota: subscription.plan.monthlyQuota,
    periodStart,
    periodEnd: nextMonthStart(now),
  };
}
