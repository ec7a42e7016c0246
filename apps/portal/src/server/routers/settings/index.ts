import { ZPlatformSettingsUpdate } from '@portcullis/core/schemas';
import type { ActorCtx } from '@portcullis/services/verbs/context';
import {
  getPlatformSettings,
  isPlatformAdmin,
  updatePlatformSettings,
} from '@portcullis/services/verbs/settings';
import { platformAdminProcedure, protectedProcedure, router } from '../../trpc';

const actorCtx = (ctx: { db: ActorCtx['db']; actor: { id: string } }) => ({ db: ctx.db, actor: ctx.actor });

/** Operator-wide settings (PLATFORM_SETTINGS), platform admins only. */
export const settingsRouter = router({
  amIAdmin: protectedProcedure.query(({ ctx }) => isPlatformAdmin(actorCtx(ctx))),
  get: platformAdminProcedure.query(({ ctx }) => getPlatformSettings(actorCtx(ctx))),
  update: platformAdminProcedure
    .input(ZPlatformSettingsUpdate)
    .mutation(({ ctx, input }) => updatePlatformSettings(actorCtx(ctx), input)),
});
