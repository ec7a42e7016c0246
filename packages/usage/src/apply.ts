import type { SqlRunner } from '@portcullis/db/pg';
import { writeRollups } from './rollups.ts';
import type { StreamUsageEvent } from './stream.ts';

export interface ApplyResult {
  /** Events handed in, duplicates within the batch included. */
  received: number;
  /** Events recorded now (first time seen). */
  applied: number;
  /** Events already recorded (redelivery) or repeated within the batch: they changed nothing. */
  duplicates: number;
  /** When the transaction had committed (ms since epoch): lag = this − event.atMs. */
  committedAtMs: number;
  /** The events recorded now; only these count towards the rollups. */
  appliedEvents: StreamUsageEvent[];
}

/**
 * Records usage events exactly once (writeRollups): one statement, so one transaction, inserts the events
 * into "UsageEvent" and adds only those seen for the first time to the hourly and daily rollups. Applying
 * the same events again inserts nothing and adds nothing, which is what makes redelivery from the stream
 * (and an XADD that landed after the gateway fell back to Postgres) harmless.
 *
 * Events of a subscription that no longer exists are recorded but not rolled up (the rollups' foreign
 * key would otherwise fail the whole batch, forever).
 */
export async function applyUsageEvents(
  sql: SqlRunner,
  events: readonly StreamUsageEvent[],
  now: () => number = Date.now,
): Promise<ApplyResult> {
  const insertedIds = new Set(await writeRollups(sql, events, now()));
  const committedAtMs = now();
  const appliedEvents: StreamUsageEvent[] = [];
  for (const event of events) {
    if (!insertedIds.delete(event.id)) continue; // a duplicate, or a repeat within the batch
    appliedEvents.push(event);
  }
  return {
    received: events.length,
    applied: appliedEvents.length,
    duplicates: events.length - appliedEvents.length,
    committedAtMs,
    appliedEvents,
  };
}
