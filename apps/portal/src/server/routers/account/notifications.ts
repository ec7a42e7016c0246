import { ZId } from '@portcullis/core/schemas';
import type { ActorCtx } from '@portcullis/services/verbs/context';
import { inTransaction, writeAudit } from '@portcullis/services/verbs/context';
import { z } from 'zod';

/** The signed-in user's in-app notifications: every query is scoped to the actor's own rows. */

export const ZNotificationList = z.object({
  unreadOnly: z.boolean().default(false),
  /** the id of the last notification of the previous page */
  cursor: ZId.optional(),
  limit: z.number().int().min(1).max(100).default(30),
});

export const ZNotificationMarkRead = z.object({
  /** omitted: every unread notification */
  ids: z.array(ZId).min(1).max(100).optional(),
  /** false marks them unread again */
  read: z.boolean().default(true),
});

export async function listNotifications(ctx: ActorCtx, input: z.infer<typeof ZNotificationList>) {
  const rows = await ctx.db.notification.findMany({
    where: { userId: ctx.actor.id, ...(input.unreadOnly ? { readAt: null } : {}) },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: input.limit + 1,
    ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
    select: {
      id: true,
      kind: true,
      title: true,
      body: true,
      link: true,
      orgId: true,
      readAt: true,
      createdAt: true,
    },
  });
  const items = rows.slice(0, input.limit);
  return { items, nextCursor: rows.length > input.limit ? (items.at(-1)?.id ?? null) : null };
}

export function unreadNotificationCount(ctx: ActorCtx): Promise<number> {
  return ctx.db.notification.count({ where: { userId: ctx.actor.id, readAt: null } });
}

export async function markNotificationsRead(ctx: ActorCtx, input: z.infer<typeof ZNotificationMarkRead>) {
  return inTransaction(ctx.db, async (tx) => {
    const { count } = await tx.notification.updateMany({
      where: {
        userId: ctx.actor.id,
        ...(input.ids ? { id: { in: input.ids } } : {}),
        readAt: input.read ? null : { not: null },
      },
      data: { readAt: input.read ? new Date() : null },
    });
    if (count > 0) {
      await writeAudit(tx, ctx.actor, {
        orgId: null,
        action: input.read ? 'notification.markRead' : 'notification.markUnread',
        targetType: 'Notification',
        targetId: input.ids?.length === 1 ? input.ids[0]! : '*',
        after: { count },
      });
    }
    return { updated: count };
  });
}
