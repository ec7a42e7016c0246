import { notFound } from '@portcullis/core/errors';
import { ZDateCursor, ZId, zInputDate } from '@portcullis/core/schemas';
import type { Prisma } from '@portcullis/db';
import { z } from 'zod';
import { auditTargetNames } from './audit-targets.ts';
import type { OrgCtx } from './context.ts';

/**
 * The org's audit log (who changed what, with the row before and after), newest first, paged by keyset
 * (at, id). Reading it is an ADMIN/OWNER permission ('audit.read'), enforced by the caller.
 */

const MAX_AUDIT_PAGE_SIZE = 200;

const ZAuditFilterFields = z.object({
  actorId: ZId.optional(),
  /** `api.` matches api.create, api.update…; `api.create` only that action (and its sub-actions). */
  actionPrefix: z.string().trim().min(1).max(100).optional(),
  targetType: z.string().trim().min(1).max(100).optional(),
  from: zInputDate('from').optional(),
  to: zInputDate('to').optional(),
  cursor: ZDateCursor.optional(),
  limit: z.number().int().min(1).max(MAX_AUDIT_PAGE_SIZE).default(50),
});

export const ZAuditList = ZAuditFilterFields.refine((q) => !q.from || !q.to || q.from < q.to, {
  path: ['to'],
  message: 'End must be after start',
});
export type AuditListInput = z.input<typeof ZAuditList>;

export const ZAuditRef = z.object({ id: ZId });

const actorSelect = { select: { id: true, name: true, email: true } } as const;

/** LIKE wildcards in a user's prefix match themselves only (Prisma passes startsWith to LIKE as is). */
const likePrefix = (text: string) => text.replace(/[\\%_]/g, '\\$&');

export async function listAudit(ctx: OrgCtx, input: AuditListInput) {
  const q = ZAuditList.parse(input);
  const where: Prisma.AuditLogWhereInput[] = [{ orgId: ctx.org.id }];
  if (q.actorId) where.push({ actorId: q.actorId });
  if (q.actionPrefix) where.push({ action: { startsWith: likePrefix(q.actionPrefix) } });
  if (q.targetType) where.push({ targetType: q.targetType });
  if (q.from) where.push({ at: { gte: q.from } });
  if (q.to) where.push({ at: { lt: q.to } });
  if (q.cursor) {
    where.push({ OR: [{ at: { lt: q.cursor.at } }, { at: q.cursor.at, id: { lt: q.cursor.id } }] });
  }
  const rows = await ctx.db.auditLog.findMany({
    where: { AND: where },
    select: {
      id: true,
      at: true,
      action: true,
      targetType: true,
      targetId: true,
      before: true,
      after: true,
      actor: actorSelect,
      /** the management API token the change was made with (null: the portal) */
      apiToken: { select: { name: true, prefix: true } },
    },
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  const names = await auditTargetNames(ctx.db, page);
  return {
    // The documents stay on the entry's own page (getAuditEntry): the list only needs the target's name.
    rows: page.map(({ before: _before, after: _after, ...row }) => ({
      ...row,
      targetName: names.get(row.targetId) ?? null,
    })),
    nextCursor: rows.length > q.limit && last ? { at: last.at, id: last.id } : null,
  };
}

/** One entry of the org's log with its before/after documents. */
export async function getAuditEntry(ctx: OrgCtx, input: z.input<typeof ZAuditRef>) {
  const { id } = ZAuditRef.parse(input);
  const entry = await ctx.db.auditLog.findFirst({
    where: { id, orgId: ctx.org.id },
    select: {
      id: true,
      at: true,
      action: true,
      targetType: true,
      targetId: true,
      before: true,
      after: true,
      actor: actorSelect,
      /** the management API token the change was made with (null: the portal) */
      apiToken: { select: { name: true, prefix: true } },
    },
  });
  if (!entry) throw notFound('Audit entry');
  const names = await auditTargetNames(ctx.db, [entry]);
  return { ...entry, targetName: names.get(entry.targetId) ?? null };
}

/** Choices for the filters: who acted in the org's log and on which kinds of target. */
export async function auditFacets(ctx: OrgCtx) {
  const [actors, targetTypes] = await Promise.all([
    ctx.db.auditLog.groupBy({
      by: ['actorId'],
      where: { orgId: ctx.org.id, actorId: { not: null } },
      orderBy: { actorId: 'asc' },
      take: 200,
    }),
    ctx.db.auditLog.groupBy({
      by: ['targetType'],
      where: { orgId: ctx.org.id },
      orderBy: { targetType: 'asc' },
      take: 100,
    }),
  ]);
  const users = await ctx.db.user.findMany({
    where: { id: { in: actors.map((a) => a.actorId).filter((id): id is string => id !== null) } },
    select: { id: true, name: true, email: true },
    orderBy: { email: 'asc' },
  });
  return { actors: users, targetTypes: targetTypes.map((t) => t.targetType) };
}
