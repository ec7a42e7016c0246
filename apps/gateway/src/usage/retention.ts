import { PLATFORM_SETTINGS } from '@portcullis/core/policies';
import { ensureDayPartitions, expireDayPartitions } from '@portcullis/db/partitions';
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
  | {
      ran: true;
      retentionDays: number;
      cutoff: Date;
      /** day partitions detached and dropped whole */
      dropped: string[];
      /** rows deleted from the DEFAULT partitions */
      deleted: number;
      batches: number;
    }
  | { ran: false; reason: 'locked' };

// Any fixed 64-bit key shared by every gateway; 7_231_001 is the migration runner's.
export const RETENTION_LOCK_ID = 7_231_101;
const DAY_MS = 86_400_000;

/**
 * Retention of RequestLog and AiCallLog (the AI call log, which may hold opted-in prompt/response bodies,
 * follows the same window). Both are partitioned by UTC day (@portcullis/db/partitions): a run first makes
 * sure the days ahead exist, then detaches and drops every day past the window — the disk is freed at
 * once, with no row-by-row DELETE, dead tuples or vacuum — and deletes the DEFAULT partition's rows past
 * it in small batches. Every transaction first takes a transaction-level advisory lock with
 * pg_try_advisory_xact_lock: while one instance runs, the others see the lock taken and skip this run;
 * nothing stays locked if an instance dies mid-run.
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
    await ensureDayPartitions(this.sql, { tables: RETAINED_TABLES, now: this.now });
    const dropped: string[] = [];
    let deleted = 0;
    let batches = 0;
    for (const table of RETAINED_TABLES) {
      const outcome = await expireDayPartitions(this.sql, {
        table,
        cutoff,
        runLockId: RETENTION_LOCK_ID,
        batchSize: this.options.batchSize,
      });
      dropped.push(...outcome.dropped);
      deleted += outcome.deleted;
      batches += outcome.batches;
      if (!outcome.ran) {
        // Another instance holds it: it is doing this run (or we lost a race mid-run; it finishes it).
        if (dropped.length === 0 && batches === 0) return { ran: false, reason: 'locked' };
        break;
      }
    }
    return { ran: true, retentionDays, cutoff, dropped, deleted, batches };
  }
}
