import { PLATFORM_SETTINGS } from '@portcullis/core/policies';
import type { PlatformSettingsUpdateInput } from '@portcullis/core/schemas';
import type { Db, Tx } from '@portcullis/db';
import { listAllowedHosts, replaceAllowedHosts } from './allow-list.ts';
import { type ActorCtx, inTransaction, writeAudit } from './context.ts';

export async function isPlatformAdmin(ctx: { db: Db | Tx; actor: { id: string } }): Promise<boolean> {
  const user = await ctx.db.user.findUnique({
    where: { id: ctx.actor.id },
    select: { isPlatformAdmin: true },
  });
  return user?.isPlatformAdmin === true;
}

/** Platform-wide settings; callers must already have checked that the actor is a platform admin. */
export async function getPlatformSettings(ctx: ActorCtx) {
  const row = await ctx.db.platformSetting.findUnique({
    where: { key: PLATFORM_SETTINGS.requestLogRetentionDays.key },
  });
  const days = PLATFORM_SETTINGS.requestLogRetentionDays.schema.safeParse(row?.value);
  return {
    /** SSRF exemptions, each for the organizations listed or for all tenants */
    upstreamAllowedHosts: await listAllowedHosts(ctx.db),
    /** null: not set, the gateway uses its GATEWAY_LOG_RETENTION_DAYS */
    requestLogRetentionDays: days.success ? days.data : null,
  };
}

export async function updatePlatformSettings(ctx: ActorCtx, input: PlatformSettingsUpdateInput) {
  const { key, schema } = PLATFORM_SETTINGS.requestLogRetentionDays;
  const days = input.requestLogRetentionDays === null ? null : schema.parse(input.requestLogRetentionDays);
  return inTransaction(ctx.db, async (tx) => {
    const hosts = await replaceAllowedHosts(tx, input.upstreamAllowedHosts);
    if (hosts.changed) {
      await writeAudit(tx, ctx.actor, {
        orgId: null,
        action: 'platform.updateAllowedHosts',
        targetType: 'UpstreamAllowedHost',
        targetId: 'upstream.allowedHosts',
        before: hosts.before,
        after: hosts.after,
      });
    }
    const previous = (await getPlatformSettings({ ...ctx, db: tx })).requestLogRetentionDays;
    if (previous !== days) {
      if (days === null) await tx.platformSetting.deleteMany({ where: { key } });
      else
        await tx.platformSetting.upsert({
          where: { key },
          create: { key, value: days },
          update: { value: days },
        });
      await writeAudit(tx, ctx.actor, {
        orgId: null,
        action: 'platform.updateSetting',
        targetType: 'PlatformSetting',
        targetId: key,
        before: { value: previous },
        after: { value: days },
      });
    }
    return getPlatformSettings({ ...ctx, db: tx });
  });
}
