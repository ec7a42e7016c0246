import { ZApiBySlug, ZApiCreate, ZApiRef, ZApiUpdateUpstream } from '@portcullis/core/schemas';
import { createApi, getApiBySlug, listApis, publishApi, updateApiUpstream } from '@portcullis/core/verbs/api';
import { orgProcedure, router, verbCtx } from '../../trpc';

export const apiRouter = router({
  create: orgProcedure('api.write')
    .input(ZApiCreate)
    .mutation(({ ctx, input }) => createApi(verbCtx(ctx), input)),
  list: orgProcedure('api.read').query(({ ctx }) => listApis(verbCtx(ctx))),
  get: orgProcedure('api.read')
    .input(ZApiBySlug)
    .query(({ ctx, input }) => getApiBySlug(verbCtx(ctx), input)),
  publish: orgProcedure('api.write')
    .input(ZApiRef)
    .mutation(({ ctx, input }) => publishApi(verbCtx(ctx), input)),
  updateUpstream: orgProcedure('api.write')
    .input(ZApiUpdateUpstream)
    .mutation(({ ctx, input }) => updateApiUpstream(verbCtx(ctx), input)),
});
