import type { Db, Tx } from '@portcullis/db';

/**
 * Outgoing mail and in-app notifications. Both are rows written in the caller's transaction, so a
 * notification exists exactly when the change it announces committed; a dispatcher (portal server)
 * delivers pending mail by SMTP when configured, otherwise marks it `outbox` (the embedded default,
 * readable on the outbox page).
 */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export async function queueMail(db: Db | Tx, message: MailMessage): Promise<{ id: string }> {
  return db.mail.create({
    data: {
      to: message.to.trim().toLowerCase(),
      subject: message.subject.slice(0, 300),
      text: message.text,
      ...(message.html ? { html: message.html } : {}),
    },
    select: { id: true },
  });
}

export interface NotificationInput {
  userIds: string[];
  orgId?: string | null;
  /** machine-readable, e.g. `subscription.approved` */
  kind: string;
  title: string;
  body?: string;
  /** portal path the notification opens, e.g. `/o/acme/apps/123` */
  link?: string;
  /** also send it by mail to each user */
  email?: boolean;
}

/** One in-app notification per user (and optionally a mail each), in the caller's transaction. */
export async function notifyUsers(db: Db | Tx, input: NotificationInput): Promise<void> {
  const userIds = [...new Set(input.userIds)];
  if (userIds.length === 0) return;
  await db.notification.createMany({
    data: userIds.map((userId) => ({
      userId,
      orgId: input.orgId ?? null,
      kind: input.kind,
      title: input.title,
      body: input.body ?? '',
      link: input.link ?? null,
    })),
  });
  if (!input.email) return;
  const users = await db.user.findMany({ where: { id: { in: userIds } }, select: { email: true } });
  for (const user of users) {
    await queueMail(db, {
      to: user.email,
      subject: input.title,
      text: [input.body ?? '', input.link ? `\nOpen: ${input.link}` : ''].join('').trim(),
    });
  }
}

/** Members of an org holding one of `roles` (e.g. who approves subscriptions). */
export async function orgMemberIds(db: Db | Tx, orgId: string, roles: string[]): Promise<string[]> {
  const rows = await db.membership.findMany({
    where: { orgId, role: { in: roles as never } },
    select: { userId: true },
  });
  return rows.map((r) => r.userId);
}
