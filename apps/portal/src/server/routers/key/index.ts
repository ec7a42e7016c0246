import { ZAppRef, ZKeyRef } from '@portcullis/core/schemas';
import {
  createKey,
  listKeys,
  revokeKey,
  rotateKey,
  ZKeyCreateWithExpiry,
  ZKeyRotate,
} from '@portcullis/services/verbs/key';
import { orgProcedure, router, verbCtx } from '../../trpc';

export const keyRouter = router({
  /** With `rotate`, the only responses that ever carry a key's plaintext. */
  create: orgProcedure('key.write')
    .input(ZKeyCreateWithExpiry)
    .mutation(({ ctx, input }) => createKey(verbCtx(ctx), input)),
  list: orgProcedure('key.read')
    .input(ZAppRef)
    .query(({ ctx, input }) => listKeys(verbCtx(ctx), input)),
  revoke: orgProcedure('key.write')
    .input(ZKeyRef)
    .mutation(({ ctx, input }) => revokeKey(verbCtx(ctx), input)),
  /** New key now; the old one works until the end of the grace period (1 h … 7 days). */
  rotate: orgProcedure('key.write')
    .input(ZKeyRotate)
    .mutation(({ ctx, input }) => rotateKey(verbCtx(ctx), input)),
});
