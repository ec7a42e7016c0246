import { badRequest, conflict, notFound } from '@portcullis/core/errors';
import { ZId } from '@portcullis/core/schemas';
import type { ApiStatus, Db, Tx } from '@portcullis/db';
import { z } from 'zod';
import { notifyUsers } from '../notify-users.ts';
import { apiSubscriberUserIds } from './audience.ts';
import { inTransaction, notifyConfig, type OrgCtx, writeAudit } from './context.ts';

const RETIRABLE: ApiStatus[] = ['PUBLISHED', 'DEPRECATED'];
/** The audit action whose time is the API's deprecation date (RFC 9745 `Deprecation` header). */
const DEPRECATE_ACTION = 'api.deprecate';
const MAX_SUNSET_MS = 5 * 366 * 24 * 3600 * 1000;

export const ZApiDeprecate = z.object({
  apiId: ZId,
  /** when the API will be retired; must lie in the future */
  sunsetAt: z.coerce.date<Date | string>({ error: 'Choose the sunset date' }),
  /** what consumers should move to; shown in the changelog and the notification */
  message: z.string().trim().max(2000, 'At most 2000 characters').default(''),
});
export type ApiDeprecateInput = z.input<typeof ZApiDeprecate>;

/**
 * When the API was deprecated: the time of its (immutable) deprecation audit row, written in the same
 * transaction as the status change. Null when it is not deprecated or the row is gone.
 */
export async function deprecatedAtOf(db: Db | Tx, apiId: string): Promise<Date | null> {
  const row = await db.auditLog.findFirst({
    where: { targetType: 'Api', targetId: apiId, action: DEPRECATE_ACTION },
    orderBy: { at: 'desc' },
    select: { at: true },
  });
  return row?.at ?? null;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * PUBLISHED → DEPRECATED with a sunset date: still routed (the gateway adds `Deprecation` and `Sunset`
 * headers), a changelog entry says so, and everyone acting for a subscribed app is told in-app and by
 * mail, in the same transaction.
 */
export async function deprecateApi(ctx: OrgCtx, raw: ApiDeprecateInput) {
  const input = ZApiDeprecate.parse(raw);
  const now = Date.now();
  if (input.sunsetAt.getTime() <= now) {
    throw badRequest('The sunset date must be in the future', { sunsetAt: 'Choose a date in the future' });
  }
  if (input.sunsetAt.getTime() > now + MAX_SUNSET_MS) {
    throw badRequest('The sunset date is too far away', { sunsetAt: 'Choose a date within 5 years' });
  }
  return transition(ctx, input.apiId, ['PUBLISHED'], 'DEPRECATED', DEPRECATE_ACTION, {
    sunsetAt: input.sunsetAt,
    announce: async (tx, api) => {
      const body = `Sunset on ${day(input.sunsetAt)}: calls will be refused from then on.${input.message ? ` ${input.message}` : ''}`;
      await tx.apiChangelogEntry.create({
        data: { apiId: api.id, version: api.version, title: 'Deprecated', body, breaking: false },
      });
      await notifyUsers(tx, {
        userIds: await apiSubscriberUserIds(tx, api.id),
        kind: 'api.deprecated',
        title: `${api.name} is deprecated`,
        body,
        link: `/catalog/${api.orgSlug}/${api.slug}`,
        email: true,
      });
    },
  });
}

/** PUBLISHED/DEPRECATED → RETIRED: the gateway answers 410 api_retired from then on. */
export async function retireApi(ctx: OrgCtx, input: { apiId: string; confirmSlug: string }) {
  const api = await ctx.db.api.findFirst({
    where: { id: input.apiId, orgId: ctx.org.id },
    select: { slug: true },
  });
  if (!api) throw notFound('API');
  if (api.slug !== input.confirmSlug) {
    throw badRequest('Confirmation does not match', { confirmSlug: `Type "${api.slug}" to confirm` });
  }
  return transition(ctx, input.apiId, RETIRABLE, 'RETIRED', 'api.retire', {
    sunsetAt: new Date(),
    announce: async (tx, retired) => {
      await tx.apiChangelogEntry.create({
        data: {
          apiId: retired.id,
          version: retired.version,
          title: 'Retired',
          body: 'The API no longer answers calls (410 api_retired).',
          breaking: true,
        },
      });
      await notifyUsers(tx, {
        userIds: await apiSubscriberUserIds(tx, retired.id),
        kind: 'api.retired',
        title: `${retired.name} is retired`,
        body: 'Calls to this API are now refused with 410 api_retired.',
        link: `/catalog/${retired.orgSlug}/${retired.slug}`,
        email: true,
      });
    },
  });
}

interface TransitionEffects {
  sunsetAt: Date;
  announce: (
    tx: Tx,
    api: { id: string; name: string; slug: string; version: string; orgSlug: string },
  ) => Promise<void>;
}

async function transition(
  ctx: OrgCtx,
  apiId: string,
  from: ApiStatus[],
  to: ApiStatus,
  action: string,
  effects: TransitionEffects,
) {
  return inTransaction(ctx.db, async (tx) => {
    const where = { id: apiId, orgId: ctx.org.id };
    const current = await tx.api.findFirst({
      where,
      select: {
        status: true,
        sunsetAt: true,
        name: true,
        slug: true,
        version: true,
        org: { select: { slug: true } },
      },
    });
    if (!current) throw notFound('API');
    // Guarded on the expected status, so two admins acting at once cannot both win.
    const { count } = await tx.api.updateMany({
      where: { ...where, status: { in: from } },
      data: { status: to, sunsetAt: effects.sunsetAt },
    });
    if (count === 0) {
      throw conflict(
        `Only a ${from.join(' or ').toLowerCase()} API can become ${to} (this one is ${current.status})`,
      );
    }
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action,
      targetType: 'Api',
      targetId: apiId,
      before: { status: current.status, sunsetAt: current.sunsetAt?.toISOString() ?? null },
      after: { status: to, sunsetAt: effects.sunsetAt.toISOString() },
    });
    await effects.announce(tx, { id: apiId, ...current, orgSlug: current.org.slug });
    await notifyConfig(tx, { kind: 'api', id: apiId });
    return { id: apiId, status: to, sunsetAt: effects.sunsetAt };
  });
}
