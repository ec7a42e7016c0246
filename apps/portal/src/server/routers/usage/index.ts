import { ZSubscriptionRef } from '@portcullis/core/schemas';
import { subscriptionUsage } from '@portcullis/services/verbs/usage';
import { orgProcedure, router, verbCtx } from '../../trpc';

export const usageRouter = router({
  forSubscription: orgProcedure('usage.read')
    .input(ZSubscriptionRef)
    .query(({ ctx, input }) => subscriptionUsage(verbCtx(ctx), input)),
});
