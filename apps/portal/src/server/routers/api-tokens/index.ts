import {
  API_TOKEN_SCOPES,
  createApiToken,
  listApiTokens,
  revokeApiToken,
  ZApiTokenCreate,
  ZApiTokenRef,
} from '@portcullis/services/verbs/api-tokens';
import { orgProcedure, router, verbCtx } from '../../trpc';

/**
 * The org's management API tokens (OWNER/ADMIN). `create` answers the token itself once; the verb keeps
 * a token's role at or below its creator's.
 */
export const apiTokensRouter = router({
  list: orgProcedure('member.manage').query(async ({ ctx }) => ({
    rows: await listApiTokens(verbCtx(ctx)),
    scopes: API_TOKEN_SCOPES,
    role: ctx.role,
  })),
  create: orgProcedure('member.manage')
    .input(ZApiTokenCreate)
    .mutation(({ ctx, input }) => createApiToken(verbCtx(ctx), input)),
  revoke: orgProcedure('member.manage')
    .input(ZApiTokenRef)
    .mutation(({ ctx, input }) => revokeApiToken(verbCtx(ctx), input)),
});
