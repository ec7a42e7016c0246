import type { Db } from '@portcullis/db';

// Any fixed 64-bit key shared by every metering worker (the gateway's log retention uses 7_231_101).
const USAGE_EVENT_RETENTION_LOCK_ID = 7_231_201;
const DAY_MS = 86_400_000;

export interface UsageEventRetentionResult {
  ran: boolean;
  cutoff: Date;
  deleted: number;
  batches: number;
}

/**
 * Deletes UsageEvent rows applied longer ago than the retention window, in small batches so no
 * statement holds locks or bloats WAL for long; the rollups keep the totals. The rows are the dedupe
 * ledger, so the window bounds how late a redelivered event is still recognised: far longer than any
 * entry stays pending in Redis. Each batch takes a transaction-level advisory lock: one worker prunes at
 * a time and nothing stays locked if it dies.
 */
export async function pruneUsageEvents(
  db: Db,
  options: { retentionDays: number; batchSize?: number; now?: () => number },
): Promise<UsageEventRetentionResult> {
  const cutoff = new Date((options.now ?? Date.now)() - options.retentionDays * DAY_MS);
  const batchSize = options.batchSize ?? 5_000;
  let deleted = 0;
  let batches = 0;
  for (;;) {
    const outcome = await db.$transaction(async (tx) => {
      const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`
        SELECT pg_try_advisory_xact_lock(${USAGE_EVENT_RETENTION_LOCK_ID}::bigint) AS locked`;
      if (!lock?.locked) return null;
      return tx.$executeRaw`
        DELETE FROM "UsageEvent" WHERE id IN (
          SELECT id FROM "UsageEvent" WHERE "appliedAt" < ${cutoff.toISOString()}::timestamp(3)
          LIMIT ${batchSize})`;
    });
    if (outcome === null) return { ran: batches > 0, cutoff, deleted, batches };
    batches++;
    deleted += outcome;
    if (outcome < batchSize) return { ran: true, cutoff, deleted, batches };
  }
}
