import { ZApiRef, ZPlanCreate } from '@portcullis/core/schemas';
import { createPlan, listPlans } from '@portcullis/services/verbs/plan';
import { orgProcedure, router, verbCtx } from '../../trpc';

export const planRouter = router({
  create: orgProcedure('plan.write')
    .input(ZPlanCreate)
    .mutation(({ ctx, input }) => createPlan(verbCtx(ctx), input)),
  list: orgProcedure('api.read')
    .input(ZApiRef)
    .query(({ ctx, input }) => listPlans(verbCtx(ctx), input)),
});
