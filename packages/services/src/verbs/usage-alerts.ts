import { badRequest, notFound } from '@portcullis/core/errors';
import { ZId } from '@portcullis/core/schemas';
import type { Prisma } from '@portcullis/db';
import { z } from 'zod';
import {
  budgetMonthStanding,
  hasMonthlyUsdBudget,
  monthlyUsdBudgets,
  usdText,
} from '../usage-alert-budget.ts';
import {
  apiMonthUsage,
  percentUsed,
  subscriptionPeriodUsage,
  type UsageAlertKind,
} from '../usage-alert-usage.ts';
import { inTransaction, type OrgCtx, writeAudit } from './context.ts';

/**
 * Usage alerts an org sets: on its apps' subscriptions (percent of the plan's monthly quota, or of its
 * monthly USD AI budget) and on its own APIs (percent of a monthly request target). The metering worker checks them; these verbs list,
 * create and delete them, scoped to the org.
 */

const MAX_ALERTS_PER_ORG = 200;
/** Subscriptions whose usage can still grow (a pending one may be approved any time). */
const WATCHABLE_STATUSES = ['PENDING', 'ACTIVE', 'SUSPENDED'] as const;

const ZThresholds = z
  .array(
    z
      .number({ error: 'Enter a percentage' })
      .int({ error: 'Enter a whole percentage' })
      .min(1, { error: 'At least 1%' })
      .max(1000, { error: 'At most 1000%' }),
  )
  .min(1, { error: 'Choose at least one threshold' })
  .max(5, { error: 'At most 5 thresholds' })
  .refine((t) => new Set(t).size === t.length, { error: 'Each threshold only once' })
  .transform((t) => [...t].sort((a, b) => a - b));

export const ZCreateUsageAlert = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('SUBSCRIPTION_QUOTA'), subscriptionId: ZId, thresholds: ZThresholds }),
  z.object({ kind: z.literal('SUBSCRIPTION_AI_BUDGET'), subscriptionId: ZId, thresholds: ZThresholds }),
  z.object({
    kind: z.literal('API_REQUESTS'),
    apiId: ZId,
    target: z
      .number({ error: 'Enter a number of requests' })
      .int({ error: 'Enter a whole number' })
      .min(1, { error: 'At least 1 request' })
      .max(1_000_000_000_000, { error: 'At most 1,000,000,000,000 requests' }),
    thresholds: ZThresholds,
  }),
]);
export type CreateUsageAlertInput = z.input<typeof ZCreateUsageAlert>;

export const ZUsageAlertRef = z.object({ alertId: ZId });

export async function createUsageAlert(ctx: OrgCtx, input: CreateUsageAlertInput) {
  const q = ZCreateUsageAlert.parse(input);
  const existing = await ctx.db.usageAlert.count({ where: { orgId: ctx.org.id } });
  if (existing >= MAX_ALERTS_PER_ORG) {
    throw badRequest(`An organization can have at most ${MAX_ALERTS_PER_ORG} usage alerts`);
  }
  if (q.kind !== 'API_REQUESTS') {
    const subscription = await ctx.db.subscription.findFirst({
      where: { id: q.subscriptionId, app: { orgId: ctx.org.id } },
      select: { status: true, plan: { select: { monthlyQuota: true, aiLimits: true } } },
    });
    if (!subscription) throw notFound('Subscription');
    if (q.kind === 'SUBSCRIPTION_QUOTA' && subscription.plan.monthlyQuota === null) {
      throw badRequest('This plan has no monthly quota to measure against', {
        subscriptionId: 'This plan has no monthly quota',
      });
    }
    if (q.kind === 'SUBSCRIPTION_AI_BUDGET' && !hasMonthlyUsdBudget(subscription.plan.aiLimits)) {
      throw badRequest('This plan has no monthly USD AI budget to measure against', {
        subscriptionId: 'This plan has no monthly AI budget',
      });
    }
  } else {
    const api = await ctx.db.api.findFirst({
      where: { id: q.apiId, orgId: ctx.org.id },
      select: { id: true },
    });
    if (!api) throw notFound('API');
  }
  return inTransaction(ctx.db, async (tx) => {
    const alert = await tx.usageAlert.create({
      data: {
        orgId: ctx.org.id,
        kind: q.kind,
        subscriptionId: q.kind !== 'API_REQUESTS' ? q.subscriptionId : null,
        apiId: q.kind === 'API_REQUESTS' ? q.apiId : null,
        target: q.kind === 'API_REQUESTS' ? BigInt(q.target) : null,
        thresholds: q.thresholds,
        createdById: ctx.actor.id,
      },
      select: { id: true },
    });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'usage_alert.create',
      targetType: 'UsageAlert',
      targetId: alert.id,
      after: {
        kind: q.kind,
        thresholds: q.thresholds,
        ...(q.kind === 'API_REQUESTS' ? { apiId: q.apiId, target: q.target } : {}),
        ...(q.kind !== 'API_REQUESTS' ? { subscriptionId: q.subscriptionId } : {}),
      },
    });
    return alert;
  });
}

export async function deleteUsageAlert(ctx: OrgCtx, input: z.input<typeof ZUsageAlertRef>) {
  const { alertId } = ZUsageAlertRef.parse(input);
  return inTransaction(ctx.db, async (tx) => {
    const alert = await tx.usageAlert.findFirst({
      where: { id: alertId, orgId: ctx.org.id },
      select: { id: true, kind: true, thresholds: true, subscriptionId: true, apiId: true },
    });
    if (!alert) throw notFound('Usage alert');
    await tx.usageAlert.delete({ where: { id: alert.id } });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'usage_alert.delete',
      targetType: 'UsageAlert',
      targetId: alert.id,
      before: {
        kind: alert.kind,
        thresholds: alert.thresholds,
        subscriptionId: alert.subscriptionId,
        apiId: alert.apiId,
      },
    });
    return { id: alert.id };
  });
}

interface AlertRow {
  id: string;
  kind: UsageAlertKind;
  thresholds: number[];
  /** what is watched, for display: "Weather API · my-app (Pro)" */
  subject: string;
  /**
   * the limit the percentages are of (requests, or micro-USD for an AI budget); null when the subject is
   * gone or the plan lost its quota or budget
   */
  limit: bigint | null;
  used: bigint;
  /** an AI budget alert: whether the budget is per app or shared by the organization's apps */
  budgetScope: 'app' | 'org' | null;
  percent: number | null;
  period: { start: Date; end: Date } | null;
  lastFiring: { threshold: number; periodStart: Date; at: Date } | null;
}

/** The org's alerts with where each stands in its current period. */
export async function listUsageAlerts(ctx: OrgCtx, now = new Date()) {
  const alerts = await ctx.db.usageAlert.findMany({
    where: { orgId: ctx.org.id },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: {
      id: true,
      kind: true,
      thresholds: true,
      subscriptionId: true,
      apiId: true,
      target: true,
      firings: {
        orderBy: [{ createdAt: 'desc' }, { threshold: 'desc' }],
        take: 1,
        select: { threshold: true, periodStart: true, createdAt: true },
      },
    },
  });
  const subscriptionIds = alerts.flatMap((a) => (a.subscriptionId ? [a.subscriptionId] : []));
  const apiIds = alerts.flatMap((a) => (a.apiId ? [a.apiId] : []));
  const [subscriptions, apis] = await Promise.all([
    ctx.db.subscription.findMany({
      where: { id: { in: subscriptionIds }, app: { orgId: ctx.org.id } },
      select: {
        id: true,
        currentPeriodStart: true,
        app: { select: { name: true } },
        plan: {
          select: {
            id: true,
            name: true,
            monthlyQuota: true,
            aiLimits: true,
            api: { select: { name: true } },
          },
        },
      },
    }),
    ctx.db.api.findMany({
      where: { id: { in: apiIds }, orgId: ctx.org.id },
      select: { id: true, orgId: true, name: true },
    }),
  ]);
  const budgetSubjects = subscriptions.map((s) => ({
    id: s.id,
    planId: s.plan.id,
    orgId: ctx.org.id,
    budgets: monthlyUsdBudgets(s.plan.aiLimits),
  }));
  const [subUsage, spend, apiUsage] = await Promise.all([
    subscriptionPeriodUsage(ctx.db, subscriptions, now),
    budgetMonthStanding(ctx.db, budgetSubjects, now),
    apiMonthUsage(ctx.db, apis, now),
  ]);
  const subById = new Map(subscriptions.map((s) => [s.id, s]));
  const apiById = new Map(apis.map((a) => [a.id, a]));
  return alerts.map((a): AlertRow => {
    const firing = a.firings[0];
    const lastFiring = firing
      ? { threshold: firing.threshold, periodStart: firing.periodStart, at: firing.createdAt }
      : null;
    const base = {
      id: a.id,
      kind: a.kind as UsageAlertKind,
      thresholds: a.thresholds,
      lastFiring,
      budgetScope: null,
    };
    const s = a.subscriptionId ? subById.get(a.subscriptionId) : undefined;
    const subject = s
      ? `${s.plan.api.name} · ${s.app.name} (${s.plan.name})`
      : 'Subscription no longer exists';
    if (a.kind === 'SUBSCRIPTION_AI_BUDGET') {
      const usage = s ? spend.get(s.id) : undefined;
      const limit = usage?.budget.micros ?? null;
      const used = usage?.used ?? 0n;
      return {
        ...base,
        subject,
        limit,
        used,
        budgetScope: usage?.budget.scope ?? null,
        percent: percentUsed(used, limit),
        period: usage?.period ?? null,
      };
    }
    if (a.kind === 'SUBSCRIPTION_QUOTA') {
      const usage = s ? subUsage.get(s.id) : undefined;
      const limit = s?.plan.monthlyQuota != null ? BigInt(s.plan.monthlyQuota) : null;
      const used = usage?.used ?? 0n;
      return {
        ...base,
        subject,
        limit,
        used,
        percent: percentUsed(used, limit),
        period: usage?.period ?? null,
      };
    }
    const api = a.apiId ? apiById.get(a.apiId) : undefined;
    const usage = api ? apiUsage.get(api.id) : undefined;
    const used = usage?.used ?? 0n;
    return {
      ...base,
      subject: api ? api.name : 'API no longer exists',
      limit: api ? a.target : null,
      used,
      percent: percentUsed(used, api ? a.target : null),
      period: usage?.period ?? null,
    };
  });
}

/**
 * What the org can set alerts on: its apps' subscriptions with a quota, those whose plan has a monthly USD
 * AI budget, and its own APIs.
 */
export async function usageAlertOptions(ctx: OrgCtx) {
  const watchable = (plan: Prisma.PlanWhereInput) =>
    ctx.db.subscription.findMany({
      where: { app: { orgId: ctx.org.id }, status: { in: [...WATCHABLE_STATUSES] }, plan },
      orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
      take: 200,
      select: {
        id: true,
        app: { select: { name: true } },
        plan: { select: { name: true, monthlyQuota: true, aiLimits: true, api: { select: { name: true } } } },
      },
    });
  const [subscriptions, withAiLimits, apis] = await Promise.all([
    watchable({ monthlyQuota: { not: null } }),
    watchable({ aiLimits: { not: [] } }),
    ctx.db.api.findMany({
      where: { orgId: ctx.org.id },
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
      take: 500,
      select: { id: true, name: true },
    }),
  ]);
  const what = (s: (typeof subscriptions)[number]) => `${s.plan.api.name} · ${s.app.name} (${s.plan.name}`;
  return {
    subscriptions: subscriptions.map((s) => ({
      id: s.id,
      label: `${what(s)}, ${s.plan.monthlyQuota!.toLocaleString('en-US')} requests per period)`,
    })),
    budgetSubscriptions: withAiLimits.flatMap((s) => {
      const budgets = monthlyUsdBudgets(s.plan.aiLimits);
      if (budgets.length === 0) return [];
      const amounts = budgets.map(
        (b) => `${usdText(b.micros)} per month${b.scope === 'org' ? ' for the organization' : ''}`,
      );
      return [{ id: s.id, label: `${what(s)}, ${amounts.join(' and ')})` }];
    }),
    apis,
  };
}
