import {
  getRequestLog,
  listRequestLogs,
  requestLogKeys,
  ZRequestLogList,
  ZRequestLogRef,
} from '@portcullis/services/verbs/request-logs';
import { orgProcedure, router, verbCtx } from '../../trpc';

/** The request log explorer; the CSV export is the route /api/orgs/[slug]/logs/csv (same permission). */
export const logsRouter = router({
  list: orgProcedure('analytics.read')
    .input(ZRequestLogList)
    .query(({ ctx, input }) => listRequestLogs(verbCtx(ctx), input)),
  get: orgProcedure('analytics.read')
    .input(ZRequestLogRef)
    .query(({ ctx, input }) => getRequestLog(verbCtx(ctx), input)),
  keys: orgProcedure('analytics.read').query(({ ctx }) => requestLogKeys(verbCtx(ctx))),
});
