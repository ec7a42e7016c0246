import { ZAppRef, ZKeyCreate, ZKeyRef } from '@portcullis/core/schemas';
import { createKey, listKeys, revokeKey } from '@portcullis/core/verbs/key';
import { orgProcedure, router, verbCtx } from '../../trpc';

export const keyRouter = router({
  /** The only response that ever carries the key's plaintext. */
  create: orgProcedure('key.write')
    .input(ZKeyCreate)
    .mutation(({ ctx, input }) => createKey(verbCtx(ctx), input)),
  list: orgProcedure('key.read')
    .input(ZAppRef)
    .query(({ ctx, input }) => listKeys(verbCtx(ctx), input)),
  revoke: orgProcedure('key.write')
    .input(ZKeyRef)
    .mutation(({ ctx, input }) => revokeKey(verbCtx(ctx), input)),
});
