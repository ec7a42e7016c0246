import {
  subscribeWithPayment,
  subscriptionCheckoutLink,
  ZCheckoutReturn,
} from '@portcullis/billing/stripe-sync/checkout';
import {
  ZSubscribe,
  ZSubscriptionListMine,
  ZSubscriptionRef,
  ZSubscriptionReject,
} from '@portcullis/core/schemas';
import {
  approveSubscription,
  cancelSubscription,
  listMySubscriptions,
  listPendingForProvider,
  rejectSubscription,
  resumeSubscription,
  suspendSubscription,
} from '@portcullis/services/verbs/subscription';
import { stripeAccess } from '../../stripe-access';
import { orgProcedure, router, verbCtx } from '../../trpc';

export const subscriptionRouter = router({
  /**
   * Consumer: orgSlug is the org that owns the app. A paid plan of a provider billing through Stripe
   * waits for a payment method (pendingReason "payment_method"); with return URLs the answer carries
   * the Stripe Checkout URL to send the browser to (or checkoutError when Stripe could not be reached).
   */
  create: orgProcedure('subscription.create')
    .input(ZSubscribe.extend(ZCheckoutReturn.partial().shape))
    .mutation(({ ctx, input }) => subscribeWithPayment(verbCtx(ctx), input, stripeAccess())),
  /** Consumer: a new Checkout Session for a subscription still waiting for a payment method. */
  checkout: orgProcedure('subscription.create')
    .input(ZSubscriptionRef.extend(ZCheckoutReturn.shape))
    .mutation(({ ctx, input }) => subscriptionCheckoutLink(verbCtx(ctx), input, stripeAccess())),
  /** Consumer: ends one of the org's own subscriptions; the gateway stops admitting it. */
  cancel: orgProcedure('subscription.create')
    .input(ZSubscriptionRef)
    .mutation(({ ctx, input }) => cancelSubscription(verbCtx(ctx), input)),
  listMine: orgProcedure('subscription.read')
    .input(ZSubscriptionListMine)
    .query(({ ctx, input }) => listMySubscriptions(verbCtx(ctx), input)),
  /** Provider: orgSlug is the org that owns the API. */
  pending: orgProcedure('subscription.read').query(({ ctx }) => listPendingForProvider(verbCtx(ctx))),
  approve: orgProcedure('subscription.approve')
    .input(ZSubscriptionRef)
    .mutation(({ ctx, input }) => approveSubscription(verbCtx(ctx), input)),
  reject: orgProcedure('subscription.approve')
    .input(ZSubscriptionReject)
    .mutation(({ ctx, input }) => rejectSubscription(verbCtx(ctx), input)),
  suspend: orgProcedure('subscription.approve')
    .input(ZSubscriptionRef)
    .mutation(({ ctx, input }) => suspendSubscription(verbCtx(ctx), input)),
  resume: orgProcedure('subscription.approve')
    .input(ZSubscriptionRef)
    .mutation(({ ctx, input }) => resumeSubscription(verbCtx(ctx), input)),
});
