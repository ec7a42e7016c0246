import { PLATFORM_SETTINGS } from '@portcullis/core/policies';
import type { SqlWriter } from '@portcullis/db/pg';
import { platformSetting } from '../config/repository.ts';

export interface RetentionOptions {
  /** Used when the PlatformSetting 'requestLog.retentionDays' is absent or invalid. */
  defaultDays: number;
  /** Time between runs; the first run comes after a random part of it so instances spread out. */
  intervalMs: number;
  batchSize?: number;
  now?: () => number;
  onResult?: (result: RetentionResult) => void;
  onError?: (error: unknown) => void;
}

export type RetentionResult =
  | { ran: true; retentionDays: number; cutoff: Date; deleted: number; batches: number }
  | { ran: false; reason: 'locked' };

// Any fixed 64-bit key shared by every gateway; 7_231_001 is the migration runner's.
export const RETENTION_LOCK_ID = 7_231_101;
const DAY_MS = 86_400_000;

/**
 * Deletes RequestLog and AiCallLog rows older than the retention window, in small batches so no statement holds
 * locks or bloats WAL for long. Each batch is one transaction that first takes a transaction-level
 * advisory lock with pg_try_advisory_xact_lock: while one instance is deleting, the others see the
 * lock taken and skip this run; nothing stays locked if an instance dies mid-run.
 */
const RETAINED_TABLES = ['RequestLog', 'AiCallLog'] as const;

export class RequestLogRetention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly sql: SqlWriter,
    private readonly options: RetentionOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    const schedule = (delayMs: number) => {
      this.timer = setTimeout(() => {
        this.running = this.runOnce().then(
          (result) => this.options.onResult?.(result),
          (error: unknown) => this.options.onError?.(error),
        );
        void this.running.finally(() => schedule(this.options.intervalMs));
      }, delayMs);
      this.timer.unref();
    };
    schedule(Math.floor(Math.random() * this.options.intervalMs));
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  async retentionDays(): Promise<number> {
    return (
      (await platformSetting(this.sql, PLATFORM_SETTINGS.requestLogRetentionDays)) ?? this.options.defaultDays
    );
  }

  async runOnce(): Promise<RetentionResult> {
    const retentionDays = await this.retentionDays();
    const cutoff = new Date(this.now() - retentionDays * DAY_MS);
    const batchSize = this.options.batchSize ?? 5_000;
    let deleted = 0;
    let batches = 0;
    // The AI call log (which may hold opted-in prompt/response bodies) follows the same window.
    for (const table of RETAINED_TABLES) {
      for (;;) {
        const outcome = await this.sql.transaction(async (tx) => {
          const [lock] = await tx.rows<{ locked: boolean }>(
            'SELECT pg_try_advisory_xact_lock($1::bigint) AS locked',
            [RETENTION_LOCK_ID],
          );
          if (!lock?.locked) return null;
          // The table name comes from RETAINED_TABLES, never from input.
          return tx.execute(
            `DELETE FROM "${table}" WHERE id IN (
              SELECT id FROM "${table}" WHERE at < $1::timestamp(3) LIMIT $2)`,
            [cutoff.toISOString(), batchSize],
          );
        });
        if (outcome === null) {
          // Another instance holds it: it is doing this run (or we lost a race mid-run; it finishes it).
          if (batches === 0) return { ran: false, reason: 'locked' };
          return { ran: true, retentionDays, cutoff, deleted, batches };
        }
        batches++;
        deleted += outcome;
        if (outcome < batchSize) break;
      }
    }
    return { ran: true, retentionDays, cutoff, deleted, batches };
  }
}
