import { type Db, getDb } from '@portcullis/db';
import { DROPPED_MAIL_BODY, readMailBody } from '@portcullis/services/notify-users';
import { createTransport, type Transporter } from 'nodemailer';
import { env } from '../../env';

/**
 * Delivers queued Mail rows (written by `queueMail` inside the mutations' transactions).
 *
 * With SMTP_URL: each due `pending` row is claimed with `FOR UPDATE SKIP LOCKED` in its own transaction
 * that stays open while the message goes out, so several portal processes never send the same mail
 * twice. A temporary failure leaves the row `pending` with `attempts` and `lastError`; attempt k+1 is due
 * at createdAt + retryBase·(2^k − 1) (30 s, 90 s, 210 s, …), so the schedule needs no extra column. After
 * `maxAttempts`, or at once on a permanent SMTP refusal (5xx), the row becomes `failed`.
 * Without SMTP_URL (the embedded default): rows become `outbox` and are read on the outbox page.
 *
 * A mail carrying a working link (`secretUntil` set) is stored encrypted; it is decrypted here just to
 * be sent, and its body is dropped once it was handed to SMTP (or given up on), and in any state once
 * its link has expired, so the table keeps no usable link.
 */

export interface MailDispatcherOptions {
  db: Db;
  /** smtp:// or smtps:// URL; undefined keeps mail in the outbox */
  smtpUrl?: string | undefined;
  from: string;
  /** PORTCULLIS_ENCRYPTION_KEY, which mails carrying links are stored encrypted with */
  mailKey: Buffer;
  intervalMs?: number;
  /** most mails sent per tick, so one tick cannot hold the process for long */
  batchSize?: number;
  maxAttempts?: number;
  retryBaseMs?: number;
  /** SMTP connect, greeting and socket timeouts */
  smtpTimeoutMs?: number;
}

interface DispatchResult {
  sent: number;
  failed: number;
  retrying: number;
  outboxed: number;
  /** bodies of mails whose link expired, dropped this pass */
  expired: number;
}

export interface MailDispatcher {
  /** One pass over the due mail; calls during a pass share the one queued after it. */
  tick(): Promise<DispatchResult>;
  /** Ticks every `intervalMs` (timer unref'd: it never keeps the process alive). */
  start(): void;
  /** Asks for a tick as soon as possible, e.g. right after a mutation queued mail. */
  kick(): void;
  stop(): Promise<void>;
}

interface ClaimedMail {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  secretUntil: Date | null;
  attempts: number;
}

type Outcome = 'sent' | 'failed' | 'retrying';

const MAX_ERROR_LENGTH = 500;

/** An SMTP 5xx is a refusal that retrying will not change; so is an address nodemailer cannot use. */
function isPermanent(error: unknown): boolean {
  const { responseCode, code } = error as { responseCode?: unknown; code?: unknown };
  if (typeof responseCode === 'number') return responseCode >= 500 && responseCode < 600;
  return code === 'EENVELOPE';
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.slice(0, MAX_ERROR_LENGTH);
}

export function createMailDispatcher(options: MailDispatcherOptions): MailDispatcher {
  const {
    db,
    smtpUrl,
    from,
    mailKey,
    intervalMs = 2_000,
    batchSize = 20,
    maxAttempts = 5,
    retryBaseMs = 30_000,
    smtpTimeoutMs = 15_000,
  } = options;
  const transport: Transporter | null = smtpUrl
    ? createTransport({
        url: smtpUrl,
        connectionTimeout: smtpTimeoutMs,
        greetingTimeout: smtpTimeoutMs,
        socketTimeout: smtpTimeoutMs,
      })
    : null;

  async function outboxPending(): Promise<number> {
    const { count } = await db.mail.updateMany({ where: { status: 'pending' }, data: { status: 'outbox' } });
    return count;
  }

  async function dropExpiredBodies(): Promise<number> {
    const { count } = await db.mail.updateMany({
      where: { secretUntil: { lte: new Date() }, NOT: { text: DROPPED_MAIL_BODY } },
      data: { text: DROPPED_MAIL_BODY, html: null },
    });
    return count;
  }

  /** Claims one due mail, sends it and records the outcome, all in one transaction; null when none is due. */
  async function deliverOne(smtp: Transporter): Promise<Outcome | null> {
    return db.$transaction(
      async (tx) => {
        const [mail] = await tx.$queryRawUnsafe<ClaimedMail[]>(
          `SELECT "id", "to", "subject", "text", "html", "secretUntil", "attempts" FROM "Mail"
           WHERE "status" = 'pending'
             AND "createdAt" + ($1::double precision * (power(2, "attempts") - 1)) * interval '1 millisecond' <= now()
           ORDER BY "createdAt"
           LIMIT 1
           FOR UPDATE SKIP LOCKED`,
          retryBaseMs,
        );
        if (!mail) return null;
        const attempts = mail.attempts + 1;
        // Once sent or given up on, a link's only copy is the recipient's.
        const drop = mail.secretUntil ? { text: DROPPED_MAIL_BODY, html: null } : {};
        const body = readMailBody(mail, mailKey);
        if (!body) {
          await tx.mail.update({
            where: { id: mail.id },
            data: {
              status: 'failed',
              attempts,
              lastError: 'the body cannot be read (expired or key changed)',
            },
          });
          return 'failed';
        }
        try {
          await smtp.sendMail({
            from,
            to: mail.to,
            subject: mail.subject,
            text: body.text,
            ...(body.html ? { html: body.html } : {}),
          });
          await tx.mail.update({
            where: { id: mail.id },
            data: { status: 'sent', attempts, sentAt: new Date(), lastError: null, ...drop },
          });
          return 'sent';
        } catch (error) {
          const giveUp = isPermanent(error) || attempts >= maxAttempts;
          await tx.mail.update({
            where: { id: mail.id },
            data: {
              status: giveUp ? 'failed' : 'pending',
              attempts,
              lastError: describe(error),
              ...(giveUp ? drop : {}),
            },
          });
          console.warn(`[mail] delivery to ${mail.to} failed (attempt ${attempts}): ${describe(error)}`);
          return giveUp ? 'failed' : 'retrying';
        }
      },
      // The transaction stays open for one SMTP exchange, bounded by the SMTP timeouts.
      { maxWait: 10_000, timeout: smtpTimeoutMs * 4 },
    );
  }

  async function pass(): Promise<DispatchResult> {
    const result: DispatchResult = { sent: 0, failed: 0, retrying: 0, outboxed: 0, expired: 0 };
    result.expired = await dropExpiredBodies();
    if (!transport) {
      result.outboxed = await outboxPending();
      return result;
    }
    for (let i = 0; i < batchSize; i++) {
      const outcome = await deliverOne(transport);
      if (!outcome) break;
      result[outcome]++;
    }
    return result;
  }

  // Passes run one at a time; requests made while one runs share the single pass queued behind it.
  let chain: Promise<unknown> = Promise.resolve();
  let queued: Promise<DispatchResult> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  function tick(): Promise<DispatchResult> {
    if (queued) return queued;
    const next = chain.then(() => {
      queued = null;
      return pass();
    });
    queued = next;
    chain = next.catch(() => undefined);
    return next;
  }

  function backgroundTick(): void {
    if (stopped) return;
    tick().catch((error: unknown) => console.warn(`[mail] dispatch failed: ${describe(error)}`));
  }

  return {
    tick,
    start() {
      if (timer || stopped) return;
      timer = setInterval(backgroundTick, intervalMs);
      timer.unref();
      backgroundTick();
    },
    kick() {
      if (timer) backgroundTick();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      await chain;
      transport?.close();
    },
  };
}

const processGlobal = globalThis as unknown as { portcullisMailDispatcher?: MailDispatcher };

/** Starts this process's dispatcher once (instrumentation.ts); later calls return the same one. */
export function startMailDispatcher(): MailDispatcher {
  if (!processGlobal.portcullisMailDispatcher) {
    processGlobal.portcullisMailDispatcher = createMailDispatcher({
      db: getDb(),
      smtpUrl: env.SMTP_URL,
      from: env.MAIL_FROM,
      mailKey: env.PORTCULLIS_ENCRYPTION_KEY,
      intervalMs: env.MAIL_DISPATCH_INTERVAL_MS,
    });
    processGlobal.portcullisMailDispatcher.start();
  }
  return processGlobal.portcullisMailDispatcher;
}

/** This process's dispatcher, when instrumentation.ts started one. */
export function runningMailDispatcher(): MailDispatcher | undefined {
  return processGlobal.portcullisMailDispatcher;
}

/** After a mutation queued mail: deliver now rather than at the next interval. No-op when not started. */
export function kickMailDispatcher(): void {
  processGlobal.portcullisMailDispatcher?.kick();
}
