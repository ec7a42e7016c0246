import { ZApiBySlug, ZApiCreate, ZApiRef, ZApiUpdateUpstream } from '@portcullis/core/schemas';
import {
  createApi,
  getApiBySlug,
  listApis,
  publishApi,
  updateApiDetails,
  updateApiUpstream,
  ZApiUpdate,
} from '@portcullis/services/verbs/api';
import {
  addApiShare,
  getCatalogSettings,
  listApiShares,
  removeApiShare,
  setAnonymousBrowse,
  ZAnonymousBrowse,
  ZApiShareAdd,
  ZApiShareRemove,
} from '@portcullis/services/verbs/api-share';
import {
  addChangelogEntry,
  listChangelog,
  listSpecVersions,
  publishApiVersion,
  removeChangelogEntry,
  ZChangelogAdd,
  ZChangelogEntryRef,
  ZPublishVersion,
} from '@portcullis/services/verbs/changelog';
import { can } from '../../permissions';
import { orgProcedure, router, verbCtx } from '../../trpc';

export const apiRouter = router({
  create: orgProcedure('api.write')
    .input(ZApiCreate)
    .mutation(({ ctx, input }) => createApi(verbCtx(ctx), input)),
  list: orgProcedure('api.read').query(({ ctx }) => listApis(verbCtx(ctx))),
  get: orgProcedure('api.read')
    .input(ZApiBySlug)
    .query(async ({ ctx, input }) => ({
      ...(await getApiBySlug(verbCtx(ctx), input)),
      canWrite: can(ctx.role, 'api.write'),
    })),
  publish: orgProcedure('api.write')
    .input(ZApiRef)
    .mutation(({ ctx, input }) => publishApi(verbCtx(ctx), input)),
  updateUpstream: orgProcedure('api.write')
    .input(ZApiUpdateUpstream)
    .mutation(({ ctx, input }) => updateApiUpstream(verbCtx(ctx), input)),
  /** Name, description, tags and visibility (never org, status or slug). */
  update: orgProcedure('api.write')
    .input(ZApiUpdate)
    .mutation(({ ctx, input }) => updateApiDetails(verbCtx(ctx), input)),

  // Sharing (ORG visibility) and the tenant's anonymous browsing
  shares: orgProcedure('api.read')
    .input(ZApiRef)
    .query(({ ctx, input }) => listApiShares(verbCtx(ctx), input)),
  addShare: orgProcedure('api.write')
    .input(ZApiShareAdd)
    .mutation(({ ctx, input }) => addApiShare(verbCtx(ctx), input)),
  removeShare: orgProcedure('api.write')
    .input(ZApiShareRemove)
    .mutation(({ ctx, input }) => removeApiShare(verbCtx(ctx), input)),
  catalogSettings: orgProcedure('api.read').query(async ({ ctx }) => ({
    ...(await getCatalogSettings(verbCtx(ctx))),
    canWrite: can(ctx.role, 'api.write'),
  })),
  setAnonymousBrowse: orgProcedure('api.write')
    .input(ZAnonymousBrowse)
    .mutation(({ ctx, input }) => setAnonymousBrowse(verbCtx(ctx), input)),

  // Versions and changelog
  versions: orgProcedure('api.read')
    .input(ZApiRef)
    .query(({ ctx, input }) => listSpecVersions(verbCtx(ctx), input)),
  publishVersion: orgProcedure('api.write')
    .input(ZPublishVersion)
    .mutation(({ ctx, input }) => publishApiVersion(verbCtx(ctx), input)),
  changelog: orgProcedure('api.read')
    .input(ZApiRef)
    .query(({ ctx, input }) => listChangelog(verbCtx(ctx), input)),
  addChangelog: orgProcedure('api.write')
    .input(ZChangelogAdd)
    .mutation(({ ctx, input }) => addChangelogEntry(verbCtx(ctx), input)),
  removeChangelog: orgProcedure('api.write')
    .input(ZChangelogEntryRef)
    .mutation(({ ctx, input }) => removeChangelogEntry(verbCtx(ctx), input)),
});
