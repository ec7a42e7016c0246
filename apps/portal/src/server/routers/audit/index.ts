import {
  auditFacets,
  getAuditEntry,
  listAudit,
  ZAuditList,
  ZAuditRef,
} from '@portcullis/services/verbs/audit';
import { orgProcedure, router, verbCtx } from '../../trpc';

/** The org's audit log: ADMIN and OWNER only ('audit.read'). */
export const auditRouter = router({
  list: orgProcedure('audit.read')
    .input(ZAuditList)
    .query(({ ctx, input }) => listAudit(verbCtx(ctx), input)),
  get: orgProcedure('audit.read')
    .input(ZAuditRef)
    .query(({ ctx, input }) => getAuditEntry(verbCtx(ctx), input)),
  facets: orgProcedure('audit.read').query(({ ctx }) => auditFacets(verbCtx(ctx))),
});
