import { ZAppCreate, ZAppRef } from '@portcullis/core/schemas';
import { createApp, getApp, listApps, listAppsForActor } from '@portcullis/services/verbs/app';
import { rolesWith } from '../../permissions';
import { orgProcedure, protectedProcedure, router, verbCtx } from '../../trpc';

export const appDomainRouter = router({
  create: orgProcedure('app.write')
    .input(ZAppCreate)
    .mutation(({ ctx, input }) => createApp(verbCtx(ctx), input)),
  list: orgProcedure('app.read').query(({ ctx }) => listApps(verbCtx(ctx))),
  get: orgProcedure('app.read')
    .input(ZAppRef)
    .query(({ ctx, input }) => getApp(verbCtx(ctx), input)),
  /** Apps the signed-in user may subscribe with, across all their orgs (the catalog's "App" select). */
  subscribable: protectedProcedure.query(({ ctx }) =>
    listAppsForActor(ctx, rolesWith('subscription.create')),
  ),
});
