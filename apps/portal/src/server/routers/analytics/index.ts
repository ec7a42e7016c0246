import {
  analyticsScope,
  analyticsTimeseries,
  analyticsTop,
  quotaBurnDown,
  ZAnalyticsQuery,
  ZAnalyticsTopQuery,
  ZQuotaBurnDownQuery,
} from '@portcullis/services/verbs/analytics';
import { orgProcedure, router, verbCtx } from '../../trpc';

/** Charts of the org's APIs (provider side) or of its apps' subscriptions (consumer side), from rollups. */
export const analyticsRouter = router({
  scope: orgProcedure('analytics.read').query(({ ctx }) => analyticsScope(verbCtx(ctx))),
  timeseries: orgProcedure('analytics.read')
    .input(ZAnalyticsQuery)
    .query(({ ctx, input }) => analyticsTimeseries(verbCtx(ctx), input)),
  top: orgProcedure('analytics.read')
    .input(ZAnalyticsTopQuery)
    .query(({ ctx, input }) => analyticsTop(verbCtx(ctx), input)),
  quotaBurnDown: orgProcedure('analytics.read')
    .input(ZQuotaBurnDownQuery)
    .query(({ ctx, input }) => quotaBurnDown(verbCtx(ctx), input)),
});
