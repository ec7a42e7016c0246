import { ZApiRef, ZApiRetire, ZPlanRef, ZPlanUpdate } from '@portcullis/core/schemas';
import { deprecateApi, retireApi, ZApiDeprecate } from '@portcullis/services/verbs/lifecycle';
import { archivePlan, updatePlanLimits } from '@portcullis/services/verbs/plan';
import { listSubscribersForApi } from '@portcullis/services/verbs/subscription';
import { can } from '../../permissions';
import { orgProcedure, verbCtx } from '../../trpc';

/** Plan limits, plan archiving, API deprecation/retirement and the provider's subscriber list. */
export const lifecycleProcedures = {
  updatePlan: orgProcedure('plan.write')
    .input(ZPlanUpdate)
    .mutation(({ ctx, input }) => updatePlanLimits(verbCtx(ctx), input)),
  archivePlan: orgProcedure('plan.write')
    .input(ZPlanRef)
    .mutation(({ ctx, input }) => archivePlan(verbCtx(ctx), input)),
  /** Needs a sunset date in the future; subscribers are told in-app and by mail. */
  deprecate: orgProcedure('api.lifecycle')
    .input(ZApiDeprecate)
    .mutation(({ ctx, input }) => deprecateApi(verbCtx(ctx), input)),
  retire: orgProcedure('api.lifecycle')
    .input(ZApiRetire)
    .mutation(({ ctx, input }) => retireApi(verbCtx(ctx), input)),
  subscribers: orgProcedure('subscription.read')
    .input(ZApiRef)
    .query(async ({ ctx, input }) => ({
      rows: await listSubscribersForApi(verbCtx(ctx), input),
      canDecide: can(ctx.role, 'subscription.approve'),
    })),
};
