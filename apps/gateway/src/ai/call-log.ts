import type { AiLogging } from '@portcullis/core/ai-config';
import { compileTenantPattern, type TenantRegex } from '@portcullis/core/tenant-regex';
import type { SqlRunner } from '@portcullis/db/pg';
import { type AiCallLogEntry, writeAiCallLogs } from '@portcullis/usage/ai-call-log';

/** Bodies larger than this are cut before redaction (a log row is not an archive). */
const MAX_LOGGED_BODY_CHARS = 64 * 1024;
const MAX_PENDING = 20_000;
const MAX_BATCH = 1_000;
const MAX_INT32 = 2_147_483_647;
const REDACTED = '[REDACTED]';

/**
 * Redaction work per body in RE2 program size × characters (see tenant-regex.ts), at most ~15 ns a unit
 * for a pattern built to defeat RE2's DFA, so ~0.13 s at worst. Bodies whose patterns would need more
 * are logged shorter: 64 KB with patterns totalling ≤ 128 instructions, proportionally less beyond.
 */
const REDACTION_BUDGET = 2 ** 23;
/** A body with more matches than this for one pattern is redacted from that match to its end. */
const MAX_REDACTIONS_PER_PATTERN = 1_000;

/**
 * Replaces every match of every configured pattern with [REDACTED], on RE2 (linear time: the patterns
 * are the tenant's, the bodies the consumer's). A pattern RE2 cannot run (saved before patterns were
 * checked for it) withholds the body: logging it unredacted would store what the tenant asked to hide.
 */
export function redactBody(text: string, patterns: readonly string[]): string {
  const compiled: TenantRegex[] = [];
  for (const [i, source] of patterns.entries()) {
    const result = compileTenantPattern(source, 'legacy');
    if (!result.ok) return `[body not logged: redaction pattern ${i + 1} ${result.reason}]`;
    compiled.push(result.regex);
  }
  let out = text.length > MAX_LOGGED_BODY_CHARS ? text.slice(0, MAX_LOGGED_BODY_CHARS) : text;
  let remaining = REDACTION_BUDGET;
  for (const regex of compiled) {
    const room = Math.floor(remaining / regex.cost);
    // the tail is dropped rather than logged unredacted
    if (out.length > room) out = out.slice(0, room);
    remaining -= regex.cost * out.length;
    out = regex.replaceAll(out, REDACTED, MAX_REDACTIONS_PER_PATTERN);
  }
  return out;
}

/** Bodies for a log row: only when the tenant opted in, and then redacted. */
export function loggedBodies(
  logging: AiLogging,
  request: string | undefined,
  response: string | undefined,
): { requestBody: string | null; responseBody: string | null } {
  if (!logging.logBodies) return { requestBody: null, responseBody: null };
  return {
    requestBody: request === undefined ? null : redactBody(request, logging.redact),
    responseBody: response === undefined ? null : redactBody(response, logging.redact),
  };
}

/**
 * Buffers AiCallLog rows off the response path and inserts them in batches (with their daily usage:
 * `writeAiCallLogs`), through node-postgres rather than Prisma (no per-value work on the event loop), like the usage meter's RequestLog batches.
 * Best effort: a failed batch is retried on the next flush, and rows beyond MAX_PENDING are dropped
 * (counted) rather than growing the heap during a long Postgres outage.
 */
export class AiCallLogWriter {
  private pending: AiCallLogEntry[] = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  dropped = 0;

  constructor(
    private readonly sql: SqlRunner,
    private readonly options: { flushIntervalMs: number; onError: (error: unknown) => void },
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  record(entry: AiCallLogEntry): void {
    if (this.pending.length >= MAX_PENDING) {
      this.dropped += 1;
      return;
    }
    this.pending.push({
      ...entry,
      tokensIn: Math.min(entry.tokensIn, MAX_INT32),
      tokensOut: Math.min(entry.tokensOut, MAX_INT32),
      latencyMs: Math.min(Math.round(entry.latencyMs), MAX_INT32),
      ttftMs: entry.ttftMs === null ? null : Math.min(Math.round(entry.ttftMs), MAX_INT32),
    });
  }

  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => (this.pending.length > 0 ? this.flush() : undefined));
    if (this.pending.length === 0) return Promise.resolve();
    this.flushing = this.writeAll().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async writeAll(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.slice(0, MAX_BATCH);
      try {
        // Rows already logged are skipped: a batch whose commit was not acknowledged is safe to send again.
        await writeAiCallLogs(this.sql, batch);
      } catch (error) {
        this.options.onError(error);
        return;
      }
      this.pending.splice(0, batch.length);
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
