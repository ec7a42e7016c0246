import { ZOrgCreate } from '@portcullis/core/schemas';
import { createOrg, listMyOrgs } from '@portcullis/services/verbs/org';
import { orgProcedure, protectedProcedure, router } from '../../trpc';

export const orgRouter = router({
  create: protectedProcedure.input(ZOrgCreate).mutation(({ ctx, input }) => createOrg(ctx, input)),
  listMine: protectedProcedure.query(({ ctx }) => listMyOrgs(ctx)),
  get: orgProcedure('org.read').query(({ ctx }) => ({ ...ctx.org, role: ctx.role })),
});
