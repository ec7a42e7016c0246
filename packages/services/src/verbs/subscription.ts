import { conflict, notFound } from '@portcullis/core/errors';
import type { SubscriptionStatus, Tx } from '@portcullis/db';
import { notifyUsers } from '../notify-users.ts';
import { APPROVER_ROLES, membersWithRoles, subscriptionRequesterIds } from './audience.ts';
import { apiVisibilityWhere } from './catalog.ts';
import { inTransaction, lockKey, notifyConfig, type OrgCtx, writeAudit } from './context.ts';

const OPEN_STATUSES: SubscriptionStatus[] = ['PENDING', 'ACTIVE', 'SUSPENDED'];

/** Subscription.pendingReason while the consumer has not yet added a payment method (Stripe Checkout). */
export const AWAITING_PAYMENT_METHOD = 'payment_method';

/** The plan a new subscription is for, as the payment question sees it. */
export interface SubscribedPlan {
  id: string;
  providerOrgId: string;
}

interface SubscribeOptions {
  /**
   * Required of every caller, so no path to a subscription can skip the payment question. Decides,
   * inside the subscribe transaction and once the plan is known, whether the subscription must wait for
   * a payment method: it is then PENDING with pendingReason "payment_method", the provider is not asked
   * or told yet, and the gateway admits nothing until the payment method arrives.
   */
  needsPaymentMethod: (tx: Tx, plan: SubscribedPlan) => Promise<boolean>;
}

/**
 * Consumer side: ctx.org owns the app. PENDING when the plan needs approval (the provider's approvers
 * are told in-app and by mail), otherwise ACTIVE at once; PENDING("payment_method") first when
 * options.needsPaymentMethod says so. Only PUBLISHED APIs the app's org may see take new
 * subscriptions: not drafts, deprecated or retired ones.
 */
export async function subscribe(
  ctx: OrgCtx,
  input: { appId: string; planId: string },
  options: SubscribeOptions,
) {
  return inTransaction(ctx.db, async (tx) => {
    const app = await tx.app.findFirst({
      where: { id: input.appId, orgId: ctx.org.id },
      select: { id: true, name: true },
    });
    if (!app) throw notFound('App');
    const plan = await tx.plan.findFirst({
      where: {
        id: input.planId,
        archivedAt: null,
        api: { AND: [{ status: 'PUBLISHED' }, apiVisibilityWhere({ kind: 'org', orgId: ctx.org.id })] },
      },
      select: {
        id: true,
        name: true,
        apiId: true,
        requiresApproval: true,
        api: { select: { name: true, orgId: true, org: { select: { slug: true } } } },
      },
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
    const awaitingPayment = await options.needsPaymentMethod(tx, {
      id: plan.id,
      providerOrgId: plan.api.orgId,
    });
    const status: SubscriptionStatus = plan.requiresApproval || awaitingPayment ? 'PENDING' : 'ACTIVE';
    const pendingReason = awaitingPayment ? AWAITING_PAYMENT_METHOD : null;
    const subscription = await tx.subscription.create({
      data: {
        appId: app.id,
        planId: plan.id,
        status,
        pendingReason,
        requestedById: ctx.actor.id,
        ...(status === 'ACTIVE' ? { decidedAt: new Date() } : {}),
      },
      select: { id: true, status: true, pendingReason: true, appId: true, planId: true, createdAt: true },
    });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'subscription.create',
      targetType: 'Subscription',
      targetId: subscription.id,
      after: { appId: app.id, planId: plan.id, status, ...(pendingReason ? { pendingReason } : {}) },
    });
    // The provider hears of it once the payment method is there (stripe-sync/checkout.ts).
    if (awaitingPayment) return subscription;
    if (status === 'ACTIVE') await notifyConfig(tx, { kind: 'subscription', id: subscription.id });
    await notifyUsers(tx, {
      userIds: await membersWithRoles(tx, [plan.api.orgId], APPROVER_ROLES),
      orgId: plan.api.orgId,
      kind: status === 'PENDING' ? 'subscription.requested' : 'subscription.started',
      title:
        status === 'PENDING'
          ? `${app.name} asks to subscribe to ${plan.api.name}`
          : `${app.name} subscribed to ${plan.api.name}`,
      body: `Plan ${plan.name}.${status === 'PENDING' ? ' Approve or reject the request.' : ''}`,
      link: status === 'PENDING' ? `/o/${plan.api.org.slug}/approvals` : undefined,
      // A request waits for a person; an instant subscription is only news.
      email: status === 'PENDING',
    });
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
      pendingReason: true,
      paymentMethodError: true,
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
          api: {
            select: {
              id: true,
              name: true,
              slug: true,
              status: true,
              sunsetAt: true,
              org: { select: { slug: true, name: true } },
            },
          },
        },
      },
    },
    orderBy: { createdAt: 'desc' },
  });
}

/** Provider side: requests waiting for ctx.org's decision, with who asked. */
export async function listPendingForProvider(ctx: OrgCtx) {
  const rows = await ctx.db.subscription.findMany({
    where: { status: 'PENDING', pendingReason: null, plan: { api: { orgId: ctx.org.id } } },
    select: {
      id: true,
      status: true,
      createdAt: true,
      requestedById: true,
      app: { select: { id: true, name: true, org: { select: { slug: true, name: true } } } },
      plan: { select: { id: true, name: true, api: { select: { id: true, name: true, slug: true } } } },
    },
    orderBy: { createdAt: 'asc' },
    take: 500,
  });
  const requesterIds = [
    ...new Set(rows.map((r) => r.requestedById).filter((id): id is string => id !== null)),
  ];
  const users = requesterIds.length
    ? await ctx.db.user.findMany({
        where: { id: { in: requesterIds } },
        select: { id: true, name: true, email: true },
      })
    : [];
  const byId = new Map(users.map((u) => [u.id, { name: u.name, email: u.email }]));
  return rows.map(({ requestedById, ...row }) => ({
    ...row,
    requestedBy: requestedById ? (byId.get(requestedById) ?? null) : null,
  }));
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

const DECISION_WORDS: Record<Decision, string> = {
  approve: 'approved',
  reject: 'rejected',
  suspend: 'suspended',
  resume: 'resumed',
};

async function decide(ctx: OrgCtx, subscriptionId: string, decision: Decision, reason?: string) {
  const { from, to } = TRANSITIONS[decision];
  return inTransaction(ctx.db, async (tx: Tx) => {
    const where = { id: subscriptionId, plan: { api: { orgId: ctx.org.id } } };
    const current = await tx.subscription.findFirst({
      where,
      select: {
        id: true,
        status: true,
        pendingReason: true,
        requestedById: true,
        app: { select: { id: true, name: true, orgId: true, org: { select: { slug: true } } } },
        plan: { select: { name: true, api: { select: { name: true } } } },
      },
    });
    if (!current) throw notFound('Subscription');
    // Guarded on the expected status, so two reviewers acting at once cannot both win.
    // A subscription still waiting for the consumer's payment method is not the provider's to decide yet.
    const { count } = await tx.subscription.updateMany({
      where: { ...where, status: from, ...(from === 'PENDING' ? { pendingReason: null } : {}) },
      data: {
        status: to,
        decidedById: ctx.actor.id,
        decidedAt: new Date(),
        ...(decision === 'reject' ? { rejectionReason: reason } : {}),
        // A provider's suspension is not a payment problem (the gateway answers 403, not 402), and a
        // provider's resume lifts whatever suspended it.
        ...(decision === 'suspend' ? { suspendedReason: 'manual' } : {}),
        ...(decision === 'resume' ? { suspendedReason: null } : {}),
      },
    });
    if (count === 0) {
      throw conflict(
        current.pendingReason === AWAITING_PAYMENT_METHOD
          ? `Cannot ${decision} a subscription that still waits for the consumer's payment method`
          : `Cannot ${decision} a subscription that is ${current.status}`,
      );
    }
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: `subscription.${decision}`,
      targetType: 'Subscription',
      targetId: current.id,
      before: { status: current.status },
      after: reason === undefined ? { status: to } : { status: to, reason },
    });
    await notifyConfig(tx, { kind: 'subscription', id: current.id });
    const word = DECISION_WORDS[decision];
    await notifyUsers(tx, {
      userIds: await subscriptionRequesterIds(tx, {
        requestedById: current.requestedById,
        appOrgId: current.app.orgId,
      }),
      orgId: current.app.orgId,
      kind: `subscription.${word}`,
      title: `${current.plan.api.name}: subscription of ${current.app.name} ${word}`,
      body: `Plan ${current.plan.name}.${reason ? ` Reason: ${reason}` : ''}`,
      link: `/o/${current.app.org.slug}/apps/${current.app.id}`,
      email: true,
    });
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

/**
 * Consumer side: ctx.org ends its own app's subscription. The gateway stops admitting its keys as soon
 * as the NOTIFY lands; the provider's approvers are told in-app.
 */
export async function cancelSubscription(ctx: OrgCtx, input: { subscriptionId: string }) {
  return inTransaction(ctx.db, async (tx) => {
    const where = { id: input.subscriptionId, app: { orgId: ctx.org.id } };
    const current = await tx.subscription.findFirst({
      where,
      select: {
        id: true,
        status: true,
        app: { select: { name: true } },
        plan: { select: { name: true, api: { select: { name: true, slug: true, orgId: true } } } },
      },
    });
    if (!current) throw notFound('Subscription');
    const { count } = await tx.subscription.updateMany({
      where: { ...where, status: { in: OPEN_STATUSES } },
      data: { status: 'CANCELLED', pendingReason: null, decidedById: ctx.actor.id, decidedAt: new Date() },
    });
    if (count === 0) throw conflict(`Cannot cancel a subscription that is ${current.status}`);
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'subscription.cancel',
      targetType: 'Subscription',
      targetId: current.id,
      before: { status: current.status },
      after: { status: 'CANCELLED' },
    });
    await notifyConfig(tx, { kind: 'subscription', id: current.id });
    await notifyUsers(tx, {
      userIds: await membersWithRoles(tx, [current.plan.api.orgId], APPROVER_ROLES),
      orgId: current.plan.api.orgId,
      kind: 'subscription.cancelled',
      title: `${current.app.name} cancelled its subscription to ${current.plan.api.name}`,
      body: `Plan ${current.plan.name}.`,
    });
    return { id: current.id, status: 'CANCELLED' as const };
  });
}
