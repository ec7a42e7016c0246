import { type Db, prismaSqlRunner } from '@portcullis/db';
import {
  type EnsureResult,
  ensureDayPartitions,
  expireDayPartitions,
  type SqlTransactions,
} from '@portcullis/db/partitions';
import type { SqlRunner } from '@portcullis/db/pg';

// Any fixed 64-bit key shared by every metering worker (the gateway's log retention uses 7_231_101).
const USAGE_EVENT_RETENTION_LOCK_ID = 7_231_201;
const DAY_MS = 86_400_000;

export interface UsageEventRetentionResult {
  ran: boolean;
  cutoff: Date;
  /** day partitions of the ledger dropped whole */
  dropped: string[];
  /** rows deleted from its DEFAULT partition */
  deleted: number;
  batches: number;
}

/** Prisma as the partition maintainer's SqlRunner + transactions (a partition change may take a while). */
function prismaPartitionSql(db: Db): SqlTransactions & SqlRunner {
  return {
    ...prismaSqlRunner(db),
    transaction: (fn) =>
      db.$transaction((tx) => fn(prismaSqlRunner(tx)), { maxWait: 10_000, timeout: 120_000 }),
  };
}

/**
 * Creates the day partitions of RequestLog, AiCallLog and UsageEvent from yesterday to a week ahead
 * (@portcullis/db/partitions): run at the worker's start and with each retention run, so rows always have
 * their day's partition.
 */
export function ensurePartitions(db: Db, options: { now?: () => number } = {}): Promise<EnsureResult> {
  return ensureDayPartitions(prismaPartitionSql(db), options);
}

/**
 * Prunes the UsageEvent dedupe ledger past the retention window, by event time: whole UTC days are
 * detached and dropped (DEFAULT rows older than the window are deleted in batches); the rollups keep the
 * totals. The window bounds how late a redelivered event is still recognised — an event's `at` travels
 * with it, so it is recognised while its day is kept: far longer than any entry stays pending in Redis.
 * Each step takes a transaction-level advisory lock: one worker prunes at a time and nothing stays locked
 * if it dies.
 */
export async function pruneUsageEvents(
  db: Db,
  options: { retentionDays: number; batchSize?: number; now?: () => number },
): Promise<UsageEventRetentionResult> {
  const cutoff = new Date((options.now ?? Date.now)() - options.retentionDays * DAY_MS);
  const result = await expireDayPartitions(prismaPartitionSql(db), {
    table: 'UsageEvent',
    cutoff,
    runLockId: USAGE_EVENT_RETENTION_LOCK_ID,
    batchSize: options.batchSize,
  });
  return { cutoff, ...result };
}
