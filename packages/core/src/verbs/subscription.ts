import type { SubscriptionStatus, Tx } from '@portcullis/db';
import { conflict, notFound } from '../errors.ts';
import { inTransaction, lockKey, notifyConfig, type OrgCtx, writeAudit } from './context.ts';

const OPEN_STATUSES: SubscriptionStatus[] = ['PENDING', 'ACTIVE', 'SUSPENDED'];

/** Consumer side: ctx.org owns the app. PENDING when the plan needs approval, otherwise ACTIVE at once. */
export async function subscribe(ctx: OrgCtx, input: { appId: string; planId: string }) {
  return inTransaction(ctx.db, async (tx) => {
    const app = await tx.app.findFirst({
      where: { id: input.appId, orgId: ctx.org.id },
      select: { id: true },
    });
    if (!app) throw notFound('App');
    const plan = await tx.plan.findFirst({
      where: {
        id: input.planId,
        archivedAt: null,
        api: {
          status: 'PUBLISHED',
          OR: [{ visibility: 'PUBLIC' }, { org: { memberships: { some: { userId: ctx.actor.id } } } }],
        },
      },
      select: { id: true, apiId: true, requiresApproval: true },
    });
    if (!plan) throw notFound('Plan');
    // One open subscription per app and API: the gateway resolves a key's plan through it.
    await lockKey(tx, `subscription:${app.id}:${plan.apiId}`);
    const open = await tx.subscription.findFirst({
      where: { appId: app.id, plan: { apiId: plan.apiId }, status: { in: OPEN_STATUSES } },
      select: { status: true },
    });
    if (open) {
      throw conflict(`This app already has a subscription to this API (${open.status})`);
    }
    const status: SubscriptionStatus = plan.requiresApproval ? 'PENDING' : 'ACTIVE';
    const subscription = await tx.subscription.create({
      data: {
        appId: app.id,
        planId: plan.id,
        status,
        requestedById: ctx.actor.id,
        ...(status === 'ACTIVE' ? { decidedAt: new Date() } : {}),
      },
      select: { id: true, status: true, appId: true, planId: true, createdAt: true },
    });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'subscription.create',
      targetType: 'Subscription',
      targetId: subscription.id,
      after: { appId: app.id, planId: plan.id, status },
    });
    if (status === 'ACTIVE') await notifyConfig(tx, { kind: 'subscription', id: subscription.id });
    return subscription;
  });
}

/** Consumer side: subscriptions of ctx.org's apps (optionally one app). */
export async function listMySubscriptions(ctx: OrgCtx, input: { appId?: string }) {
  return ctx.db.subscription.findMany({
    where: { app: { orgId: ctx.org.id }, ...(input.appId ? { appId: input.appId } : {}) },
    select: {
      id: true,
      status: true,
      rejectionReason: true,
      createdAt: true,
      decidedAt: true,
      app: { select: { id: true, name: true } },
      plan: {
        select: {
          id: true,
          name: true,
          rateLimit: true,
          rateLimitWindowSeconds: true,
          monthlyQuota: true,
          api: { select: { id: true, name: true, slug: true, org: { select: { slug: true, name: true } } } },
        },
      },
    },
    orderBy: { createdAt: 'desc' },
  });
}

/** Provider side: requests waiting for ctx.org's decision. */
export async function listPendingForProvider(ctx: OrgCtx) {
  return ctx.db.subscription.findMany({
    where: { status: 'PENDING', plan: { api: { orgId: ctx.org.id } } },
    select: {
      id: true,
      status: true,
      createdAt: true,
      app: { select: { id: true, name: true, org: { select: { slug: true, name: true } } } },
      plan: { select: { id: true, name: true, api: { select: { id: true, name: true, slug: true } } } },
    },
    orderBy: { createdAt: 'asc' },
  });
}

/** Provider side: every subscription to one of ctx.org's APIs, for its Subscribers list. */
export async function listSubscribersForApi(ctx: OrgCtx, input: { apiId: string }) {
  const api = await ctx.db.api.findFirst({
    where: { id: input.apiId, orgId: ctx.org.id },
    select: { id: true },
  });
  if (!api) throw notFound('API');
  return ctx.db.subscription.findMany({
    where: { plan: { apiId: api.id, api: { orgId: ctx.org.id } } },
    select: {
      id: true,
      status: true,
      createdAt: true,
      decidedAt: true,
      app: { select: { id: true, name: true, org: { select: { slug: true, name: true } } } },
      plan: { select: { id: true, name: true, archivedAt: true } },
    },
    orderBy: { createdAt: 'desc' },
    take: 500,
  });
}

type Decision = 'approve' | 'reject' | 'suspend' | 'resume';

const TRANSITIONS: Record<Decision, { from: SubscriptionStatus; to: SubscriptionStatus }> = {
  approve: { from: 'PENDING', to: 'ACTIVE' },
  reject: { from: 'PENDING', to: 'REJECTED' },
  suspend: { from: 'ACTIVE', to: 'SUSPENDED' },
  resume: { from: 'SUSPENDED', to: 'ACTIVE' },
};

async function decide(ctx: OrgCtx, subscriptionId: string, decision: Decision, reason?: string) {
  const { from, to } = TRANSITIONS[decision];
  return inTransaction(ctx.db, async (tx: Tx) => {
    const where = { id: subscriptionId, plan: { api: { orgId: ctx.org.id } } };
    const current = await tx.subscription.findFirst({ where, select: { id: true, status: true } });
    if (!current) throw notFound('Subscription');
    // Guarded on the expected status, so two reviewers acting at once cannot both win.
    const { count } = await tx.subscription.updateMany({
      where: { ...where, status: from },
      data: {
        status: to,
        decidedById: ctx.actor.id,
        decidedAt: new Date(),
        ...(decision === 'reject' ? { rejectionReason: reason } : {}),
      },
    });
    if (count === 0) throw conflict(`Cannot ${decision} a subscription that is ${current.status}`);
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: `subscription.${decision}`,
      targetType: 'Subscription',
      targetId: current.id,
      before: { status: current.status },
      after: reason === undefined ? { status: to } : { status: to, reason },
    });
    await notifyConfig(tx, { kind: 'subscription', id: current.id });
    return { id: current.id, status: to };
  });
}

export const approveSubscription = (ctx: OrgCtx, input: { subscriptionId: string }) =>
  decide(ctx, input.subscriptionId, 'approve');
export const rejectSubscription = (ctx: OrgCtx, input: { subscriptionId: string; reason: string }) =>
  decide(ctx, input.subscriptionId, 'reject', input.reason);
export const suspendSubscription = (ctx: OrgCtx, input: { subscriptionId: string }) =>
  decide(ctx, input.subscriptionId, 'suspend');
export const resumeSubscription = (ctx: OrgCtx, input: { subscriptionId: string }) =>
  decide(ctx, input.subscriptionId, 'resume');
