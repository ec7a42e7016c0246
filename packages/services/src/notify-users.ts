import { decryptSecret, encryptSecret } from '@portcullis/core/crypto';
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

/**
 * A mail whose body carries a working secret (a sign-in-equivalent link: password reset, invitation,
 * address verification). Its body is stored AES-256-GCM-encrypted under `key` and dropped once delivered
 * or once `until` (when the link stops working) has passed, so the Mail table never holds a usable link
 * in clear.
 */
export interface SecretMail {
  key: Buffer;
  until: Date;
}

/** Binds a stored body to its recipient: a ciphertext copied into another row does not decrypt there. */
const bodyContext = (to: string) => `mail-body:${to}`;

export async function queueMail(
  db: Db | Tx,
  message: MailMessage,
  secret?: SecretMail,
): Promise<{ id: string }> {
  const to = message.to.trim().toLowerCase();
  const seal = (body: string) => (secret ? encryptSecret(body, secret.key, bodyContext(to)) : body);
  return db.mail.create({
    data: {
      to,
      subject: message.subject.slice(0, 300),
      text: seal(message.text),
      ...(message.html ? { html: seal(message.html) } : {}),
      ...(secret ? { secretUntil: secret.until } : {}),
    },
    select: { id: true },
  });
}

/** What a stored body reads as once its link is gone (delivered, or expired). */
export const DROPPED_MAIL_BODY = '';

/**
 * The readable body of a stored mail: decrypted when it carries a secret, `null` when that body has been
 * dropped (or cannot be decrypted with `key`, e.g. after a key change).
 */
export function readMailBody(
  mail: { to: string; text: string; html: string | null; secretUntil: Date | null },
  key: Buffer,
): { text: string; html: string | null } | null {
  if (!mail.secretUntil) return { text: mail.text, html: mail.html };
  if (mail.text === DROPPED_MAIL_BODY) return null;
  try {
    return {
      text: decryptSecret(mail.text, key, bodyContext(mail.to)),
      html: mail.html ? decryptSecret(mail.html, key, bodyContext(mail.to)) : null,
    };
  } catch {
    return null;
  }
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
