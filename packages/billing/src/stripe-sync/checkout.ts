import { badRequest, conflict, notFound } from '@portcullis/core/errors';
import type { Prisma, Role, Tx } from '@portcullis/db';
import { notifyUsers } from '@portcullis/services/notify-users';
import { APPROVER_ROLES, membersWithRoles } from '@portcullis/services/verbs/audience';
import { type ActorCtx, notifyConfig, type OrgCtx } from '@portcullis/services/verbs/context';
import { subscribeWithNewApp, ZSubscribeWithNewApp } from '@portcullis/services/verbs/first-app';
import { AWAITING_PAYMENT_METHOD, subscribe } from '@portcullis/services/verbs/subscription';
import { z } from 'zod';
import { planPricingOf } from '../invoicing.ts';
import { asStripeError, describeStripeError } from '../stripe/errors.ts';
import { createPaymentMethodSetupSession } from '../stripe/sessions.ts';
import { type StripeAccess, tenantStripeClient } from './credentials.ts';
import { linkStripeCustomer } from './customer-link.ts';

/**
 * Paid plans of providers that bill through Stripe: a new subscription waits, PENDING with
 * pendingReason "payment_method", until the consumer has added a payment method in a Stripe Checkout
 * Session (setup mode). The webhook (checkout.session.completed / setup_intent.succeeded) then moves
 * it on: to ACTIVE, or to the provider's approval when the plan asks for it. A refused card
 * (setup_intent.setup_failed) leaves it waiting with Stripe's message; a new Checkout Session can be
 * opened for it at any time. Consumers that already have a payment method with the provider, free
 * plans and providers without Stripe subscribe as before.
 */

const ZReturnUrl = z
  .string({ error: 'Enter a URL' })
  .trim()
  .pipe(z.url({ protocol: /^https?$/, error: 'Enter an http:// or https:// URL' }));

export const ZCheckoutReturn = z.object({ successUrl: ZReturnUrl, cancelUrl: ZReturnUrl });
/** Without return URLs a subscription that needs a payment method is made without a Checkout Session. */
const ZSubscribeWithPayment = ZCheckoutReturn.partial().extend({
  appId: z.string().trim().min(1).max(64),
  planId: z.string().trim().min(1).max(64),
});
export const ZSubscriptionCheckout = ZCheckoutReturn.extend({
  subscriptionId: z.string().trim().min(1).max(64),
});

type SubscribeWithPaymentResult = {
  id: string;
  status: string;
  pendingReason: string | null;
  appId: string;
  planId: string;
  createdAt: Date;
} & (
  | { checkoutUrl: string; checkoutError?: undefined }
  | { checkoutUrl?: undefined; checkoutError?: string }
);

/** Whether a plan can charge anything: free plans never ask for a payment method. */
function planCharges(plan: { pricing: unknown; priceMonthlyMinor: number; currency: string }): boolean {
  try {
    return planPricingOf(plan).model !== 'free';
  } catch {
    // Unreadable pricing is billed as nothing by period close; asking for a card would be wrong too.
    return false;
  }
}

/** Whether a new subscription of consumerOrgId to the plan must first wait for a payment method. */
async function needsPaymentMethod(
  tx: Tx,
  consumerOrgId: string,
  plan: { id: string; providerOrgId: string },
): Promise<boolean> {
  const [account, priced, customer] = await Promise.all([
    tx.stripeAccount.findUnique({ where: { orgId: plan.providerOrgId }, select: { orgId: true } }),
    tx.plan.findUniqueOrThrow({
      where: { id: plan.id },
      select: { pricing: true, priceMonthlyMinor: true, currency: true },
    }),
    tx.stripeCustomer.findUnique({
      where: {
        providerOrgId_customerOrgId: { providerOrgId: plan.providerOrgId, customerOrgId: consumerOrgId },
      },
      select: { hasPaymentMethod: true },
    }),
  ]);
  return account !== null && planCharges(priced) && customer?.hasPaymentMethod !== true;
}

/**
 * Consumer side: subscribes ctx.org's app to a plan; when the plan must wait for a payment method, also
 * opens the Checkout Session to send the browser to. The subscription is committed first, so Stripe
 * being out of reach leaves it waiting with `checkoutError` (open a session later with
 * subscriptionCheckoutLink), never half created.
 */
export async function subscribeWithPayment(
  ctx: OrgCtx,
  input: z.input<typeof ZSubscribeWithPayment>,
  access: StripeAccess,
): Promise<SubscribeWithPaymentResult> {
  const { appId, planId, successUrl, cancelUrl } = ZSubscribeWithPayment.parse(input);
  const subscription = await subscribe(
    ctx,
    { appId, planId },
    { needsPaymentMethod: (tx, plan) => needsPaymentMethod(tx, ctx.org.id, plan) },
  );
  return withCheckout(ctx, subscription, { successUrl, cancelUrl }, access);
}

/**
 * Opens the Checkout Session of a subscription just made, when it waits for a payment method and the
 * caller gave return URLs. Stripe being out of reach leaves it waiting with `checkoutError`.
 */
async function withCheckout<T extends { id: string; pendingReason: string | null }>(
  ctx: OrgCtx,
  subscription: T,
  urls: { successUrl?: string | undefined; cancelUrl?: string | undefined },
  access: StripeAccess,
): Promise<T & ({ checkoutUrl: string } | { checkoutUrl?: undefined; checkoutError?: string })> {
  const { successUrl, cancelUrl } = urls;
  if (subscription.pendingReason !== AWAITING_PAYMENT_METHOD || !successUrl || !cancelUrl) {
    return subscription;
  }
  try {
    const { url } = await subscriptionCheckoutLink(
      ctx,
      { subscriptionId: subscription.id, successUrl, cancelUrl },
      access,
    );
    return { ...subscription, checkoutUrl: url };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ...subscription, checkoutError: message };
  }
}

export const ZSubscribeNewAppWithPayment = ZSubscribeWithNewApp.extend(ZCheckoutReturn.partial().shape);

/**
 * The catalog's "subscribe with a new app" (first-app.ts) with the same payment rule as any other
 * subscription. Return URLs may name `{org}`, replaced by the slug of the organization that holds the
 * app (a personal one is only known once made).
 */
export async function subscribeNewAppWithPayment(
  ctx: ActorCtx,
  input: z.input<typeof ZSubscribeNewAppWithPayment>,
  roles: readonly Role[],
  access: StripeAccess,
) {
  const { successUrl, cancelUrl, ...rest } = ZSubscribeNewAppWithPayment.parse(input);
  const made = await subscribeWithNewApp(ctx, rest, roles, needsPaymentMethod);
  const slug = encodeURIComponent(made.org.slug);
  const inOrg = (url: string | undefined) => url?.replaceAll('{org}', slug);
  const subscription = await withCheckout(
    { ...ctx, org: { id: made.org.id } },
    made.subscription,
    { successUrl: inOrg(successUrl), cancelUrl: inOrg(cancelUrl) },
    access,
  );
  return { ...made, subscription };
}

/** Stripe's 4xx answers are the user's to read; anything else is Stripe or the network failing. */
function refusedByStripe(error: unknown): never {
  const status = asStripeError(error)?.statusCode;
  if (status !== undefined && status >= 400 && status < 500 && status !== 429) {
    throw badRequest(`Stripe refused: ${describeStripeError(error)}`);
  }
  throw error;
}

/**
 * Consumer side: a new Stripe Checkout Session (setup mode) for a subscription of ctx.org that waits
 * for a payment method: the first attempt and every "try again". Another org's subscription is NOT_FOUND.
 */
export async function subscriptionCheckoutLink(
  ctx: OrgCtx,
  input: z.input<typeof ZSubscriptionCheckout>,
  access: StripeAccess,
): Promise<{ url: string }> {
  const { subscriptionId, successUrl, cancelUrl } = ZSubscriptionCheckout.parse(input);
  const subscription = await ctx.db.subscription.findFirst({
    where: { id: subscriptionId, app: { orgId: ctx.org.id } },
    select: {
      id: true,
      status: true,
      pendingReason: true,
      plan: {
        select: {
          pricing: true,
          priceMonthlyMinor: true,
          currency: true,
          api: { select: { orgId: true, org: { select: { stripeAccount: true } } } },
        },
      },
    },
  });
  if (!subscription) throw notFound('Subscription');
  if (subscription.status !== 'PENDING' || subscription.pendingReason !== AWAITING_PAYMENT_METHOD) {
    throw conflict('This subscription does not wait for a payment method');
  }
  const providerOrgId = subscription.plan.api.orgId;
  const account = subscription.plan.api.org.stripeAccount;
  if (!account) throw conflict('The provider no longer bills through Stripe');
  const stripe = tenantStripeClient(account, access);
  const { stripeCustomerId } = await linkStripeCustomer(ctx.db, stripe, providerOrgId, ctx.org.id).catch(
    refusedByStripe,
  );
  const metadata = {
    portcullis_provider_org_id: providerOrgId,
    portcullis_consumer_org_id: ctx.org.id,
    portcullis_subscription_id: subscription.id,
  };
  const session = await createPaymentMethodSetupSession(stripe, {
    customerId: stripeCustomerId,
    successUrl,
    cancelUrl,
    currency: planPricingOf(subscription.plan).currency,
    metadata,
  }).catch(refusedByStripe);
  return { url: session.url };
}

interface CustomerScope {
  providerOrgId: string;
  customerOrgId: string;
}

const awaitingWhere = (scope: CustomerScope): Prisma.SubscriptionWhereInput => ({
  status: 'PENDING',
  pendingReason: AWAITING_PAYMENT_METHOD,
  app: { orgId: scope.customerOrgId },
  plan: { api: { orgId: scope.providerOrgId } },
});

/**
 * The consumer now has a payment method with the provider: its subscriptions that waited for one move
 * on, each guarded on its state (a cancellation in between wins): to ACTIVE (gateways told on commit),
 * or to the provider's approval (approvers told in-app and by mail). Runs in the webhook's transaction.
 */
export async function activateAfterPaymentMethod(
  tx: Tx,
  scope: CustomerScope,
  cause: Prisma.InputJsonValue,
): Promise<{ activated: string[]; awaitingApproval: string[] }> {
  const candidates = await tx.subscription.findMany({
    where: awaitingWhere(scope),
    select: {
      id: true,
      app: { select: { name: true } },
      plan: {
        select: {
          name: true,
          requiresApproval: true,
          api: { select: { name: true, org: { select: { slug: true } } } },
        },
      },
    },
    orderBy: { createdAt: 'asc' },
  });
  const activated: string[] = [];
  const awaitingApproval: string[] = [];
  const approvers = candidates.length
    ? await membersWithRoles(tx, [scope.providerOrgId], APPROVER_ROLES)
    : [];
  for (const subscription of candidates) {
    const toApproval = subscription.plan.requiresApproval;
    const { count } = await tx.subscription.updateMany({
      where: { id: subscription.id, ...awaitingWhere(scope) },
      data: toApproval
        ? { pendingReason: null, paymentMethodError: null }
        : { status: 'ACTIVE', pendingReason: null, paymentMethodError: null, decidedAt: new Date() },
    });
    if (count === 0) continue;
    (toApproval ? awaitingApproval : activated).push(subscription.id);
    await tx.auditLog.create({
      data: {
        orgId: scope.providerOrgId,
        actorId: null,
        action: toApproval ? 'subscription.paymentMethodAdded' : 'subscription.activate',
        targetType: 'Subscription',
        targetId: subscription.id,
        before: { status: 'PENDING', pendingReason: AWAITING_PAYMENT_METHOD },
        after: toApproval ? { status: 'PENDING', cause } : { status: 'ACTIVE', cause },
      },
    });
    if (!toApproval) await notifyConfig(tx, { kind: 'subscription', id: subscription.id });
    const { app, plan } = subscription;
    await notifyUsers(tx, {
      userIds: approvers,
      orgId: scope.providerOrgId,
      kind: toApproval ? 'subscription.requested' : 'subscription.started',
      title: toApproval
        ? `${app.name} asks to subscribe to ${plan.api.name}`
        : `${app.name} subscribed to ${plan.api.name}`,
      body: `Plan ${plan.name}.${toApproval ? ' Approve or reject the request.' : ''}`,
      link: toApproval ? `/o/${plan.api.org.slug}/approvals` : undefined,
      email: toApproval,
    });
  }
  return { activated, awaitingApproval };
}

/** Stripe refused the payment method: the waiting subscriptions keep waiting and say why. */
export async function notePaymentMethodRefused(
  tx: Tx,
  scope: CustomerScope,
  message: string,
): Promise<number> {
  const { count } = await tx.subscription.updateMany({
    where: awaitingWhere(scope),
    data: { paymentMethodError: message.slice(0, 500) },
  });
  return count;
}
