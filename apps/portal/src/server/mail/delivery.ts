import type { Db } from '@portcullis/db';
import type { MailDispatcher } from './dispatcher';

/**
 * What became of one queued mail by the time a mutation answers, so the page says "sent" only when a
 * mail server accepted it:
 * - `sent`: handed to the SMTP server;
 * - `queued`: not delivered yet, because no mail server is configured (`no-transport`: it waits in the
 *   outbox) or the server has not accepted it yet (`pending`: retried in the background);
 * - `failed`: the server refused it for good.
 */
export type MailDelivery =
  | { state: 'sent' }
  | { state: 'queued'; reason: 'no-transport' | 'pending'; lastError: string | null }
  | { state: 'failed'; lastError: string | null };

export interface DeliveryOptions {
  db: Db;
  /** SMTP_URL is set */
  transportConfigured: boolean;
  /** this process's dispatcher, if it runs */
  dispatcher: MailDispatcher | null | undefined;
  /** how long the answer may wait for the SMTP exchange */
  waitMs?: number;
}

/** Runs a dispatch pass (bounded by `waitMs`), then reports the mail's state. */
export async function awaitDelivery(mailId: string, options: DeliveryOptions): Promise<MailDelivery> {
  const { db, transportConfigured, dispatcher, waitMs = 5_000 } = options;
  if (!transportConfigured) {
    dispatcher?.kick();
    return { state: 'queued', reason: 'no-transport', lastError: null };
  }
  if (dispatcher) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
    });
    // A failed pass leaves the mail pending: reported as queued below.
    await Promise.race([dispatcher.tick().catch(() => undefined), timeout]);
    clearTimeout(timer);
  }
  const mail = await db.mail.findUnique({ where: { id: mailId }, select: { status: true, lastError: true } });
  if (mail?.status === 'sent') return { state: 'sent' };
  if (mail?.status === 'failed') return { state: 'failed', lastError: mail.lastError };
  if (mail?.status === 'outbox') return { state: 'queued', reason: 'no-transport', lastError: null };
  return { state: 'queued', reason: 'pending', lastError: mail?.lastError ?? null };
}
