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
  subscribe,
  suspendSubscription,
} from '@portcullis/services/verbs/subscription';
import { orgProcedure, router, verbCtx } from '../../trpc';

export const subscriptionRouter = router({
  /** Consumer: orgSlug is the org that owns the app. */
  create: orgProcedure('subscription.create')
    .input(ZSubscribe)
    .mutation(({ ctx, input }) => subscribe(verbCtx(ctx), input)),
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
