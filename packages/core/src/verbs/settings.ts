import type { Db, Tx } from '@portcullis/db';
import { badRequest } from '../errors.ts';
import { PLATFORM_SETTINGS } from '../policies.ts';
import type { PlatformSettingsUpdateInput } from '../schemas.ts';
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
  const rows = await ctx.db.platformSetting.findMany({
    where: {
      key: {
        in: [PLATFORM_SETTINGS.upstreamAllowedHosts.key, PLATFORM_SETTINGS.requestLogRetentionDays.key],
      },
    },
  });
  const value = (key: string) => rows.find((row) => row.key === key)?.value;
  const hosts = PLATFORM_SETTINGS.upstreamAllowedHosts.schema.safeParse(
    value(PLATFORM_SETTINGS.upstreamAllowedHosts.key),
  );
  const days = PLATFORM_SETTINGS.requestLogRetentionDays.schema.safeParse(
    value(PLATFORM_SETTINGS.requestLogRetentionDays.key),
  );
  return {
    upstreamAllowedHosts: hosts.success ? hosts.data : [],
    /** null: not set, the gateway uses its GATEWAY_LOG_RETENTION_DAYS */
    requestLogRetentionDays: days.success ? days.data : null,
  };
}

/** `host` or `host:port` (IPv6 in brackets), as the SSRF guard compares them with URL.host. */
export function normalizeAllowedHost(value: string): string | null {
  const trimmed = value.trim().toLowerCase();
  if (!trimmed || /[/?#@\s]/.test(trimmed)) return null;
  try {
    const url = new URL(`http://${trimmed}`);
    // URL drops the default port, so compare without it
    const expected = trimmed.endsWith(':80') ? trimmed.slice(0, -3) : trimmed;
    return url.host === expected ? trimmed : null;
  } catch {
    return null;
  }
}

export async function updatePlatformSettings(ctx: ActorCtx, input: PlatformSettingsUpdateInput) {
  const hosts: string[] = [];
  for (const raw of input.upstreamAllowedHosts) {
    const host = normalizeAllowedHost(raw);
    if (host === null) {
      throw badRequest('Some hosts are not valid', {
        upstreamAllowedHosts: `"${raw}" is not a host or host:port (no scheme or path)`,
      });
    }
    if (!hosts.includes(host)) hosts.push(host);
  }
  const next = {
    upstreamAllowedHosts: PLATFORM_SETTINGS.upstreamAllowedHosts.schema.parse(hosts),
    requestLogRetentionDays:
      input.requestLogRetentionDays === null
        ? null
        : PLATFORM_SETTINGS.requestLogRetentionDays.schema.parse(input.requestLogRetentionDays),
  };
  return inTransaction(ctx.db, async (tx) => {
    const before = await getPlatformSettings({ ...ctx, db: tx });
    const entries = [
      [PLATFORM_SETTINGS.upstreamAllowedHosts.key, next.upstreamAllowedHosts, before.upstreamAllowedHosts],
      [
        PLATFORM_SETTINGS.requestLogRetentionDays.key,
        next.requestLogRetentionDays,
        before.requestLogRetentionDays,
      ],
    ] as const;
    for (const [key, value, previous] of entries) {
      if (JSON.stringify(value) === JSON.stringify(previous)) continue;
      if (value === null) await tx.platformSetting.deleteMany({ where: { key } });
      else await tx.platformSetting.upsert({ where: { key }, create: { key, value }, update: { value } });
      await writeAudit(tx, ctx.actor, {
        orgId: null,
        action: 'platform.updateSetting',
        targetType: 'PlatformSetting',
        targetId: key,
        before: { value: previous },
        after: { value },
      });
    }
    return next;
  });
}
