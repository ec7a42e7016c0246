import { randomUUID } from 'node:crypto';
import { type Db, prismaSqlRunner } from '@portcullis/db';
import type { SqlRunner } from '@portcullis/db/pg';
import { applyUsageEvents } from '@portcullis/usage/apply';
import type { StreamUsageEvent } from '@portcullis/usage/stream';
import { insertByDay, type Scenario, sqlTextArray } from './scenario.ts';
import { median, type ScaleRow } from './table.ts';

/**
 * Metering ingest against the size of the UsageEvent dedupe ledger. The measured path is the metering
 * worker's batch apply (UsageConsumer.handle → applyUsageEvents over prismaSqlRunner): Redis is left
 * out, so the figure is what Postgres and the apply statement allow, at an empty ledger and at a large
 * one. The target: at least INGEST_TARGET events/s whatever the ledger holds.
 */

const INGEST_TARGET = 35_000;
/** The worker's default batch (METERING_BATCH_SIZE). */
const BATCH_SIZE = 5_000;
/** Batches per timed run: 100,000 events. */
const BATCHES = 20;

function makeBatch(subscriptionIds: readonly string[], size: number, offset: number): StreamUsageEvent[] {
  const atMs = Date.now();
  return Array.from({ length: size }, (_, i) => {
    const n = offset + i;
    const status = n % 50 === 0 ? 503 : 200;
    return {
      id: randomUUID(),
      subscriptionId: subscriptionIds[n % subscriptionIds.length] as string,
      atMs,
      status,
      billable: status < 500,
      bytesIn: 200,
      bytesOut: 1_500,
      ...(n % 4 === 0 ? { tokensIn: 300, tokensOut: 120, costMicros: 450 } : {}),
    };
  });
}

/**
 * Events/s of `runs` runs (median), each BATCHES batches of BATCH_SIZE fresh events applied one after
 * the other, as one worker does; the events are built before the clock starts (the worker decodes them
 * from the stream, which is not what is measured here).
 */
export async function measureIngest(db: Db, scenario: Scenario, runs: number): Promise<number> {
  const sql = prismaSqlRunner(db);
  // One batch untimed: the statement's plan and the rollup rows of this hour exist from then on.
  await applyUsageEvents(sql, makeBatch(scenario.subscriptionIds, BATCH_SIZE, 0));
  const rates: number[] = [];
  for (let run = 0; run < runs; run++) {
    const batches = Array.from({ length: BATCHES }, (_, b) =>
      makeBatch(scenario.subscriptionIds, BATCH_SIZE, b * BATCH_SIZE),
    );
    let applied = 0;
    const started = performance.now();
    for (const batch of batches) applied += (await applyUsageEvents(sql, batch)).applied;
    const seconds = (performance.now() - started) / 1000;
    if (applied !== BATCHES * BATCH_SIZE) {
      throw new Error(`ingest applied ${applied} of ${BATCHES * BATCH_SIZE} fresh events`);
    }
    rates.push(applied / seconds);
  }
  return median(rates);
}

export const ingestRow = (ledger: string, eventsPerSecond: number, note: string): ScaleRow => ({
  measure: `metering ingest (apply, batches of ${BATCH_SIZE.toLocaleString('en-US')})`,
  size: ledger,
  value: eventsPerSecond,
  unit: 'events/s',
  target: { op: '>=', limit: INGEST_TARGET },
  note,
});

/**
 * `rows` applied events in the ledger, one INSERT per day of the scenario's window: random UUIDs as the
 * gateway makes them (so the primary key's inserts land all over the index, as in production), applied
 * two seconds after they happened; then ANALYZE.
 */
export async function generateUsageLedger(
  sql: SqlRunner,
  scenario: Scenario,
  rows: number,
  log: (line: string) => void,
): Promise<number> {
  const subscriptions = sqlTextArray(scenario.subscriptionIds);
  const insert = `
    INSERT INTO "UsageEvent" (id, "subscriptionId", at, status, billable, "tokensIn", "tokensOut",
      "costMicros", "appliedAt")
    SELECT gen_random_uuid()::text, (${subscriptions})[1 + g % ${scenario.subscriptionIds.length}], t,
      CASE WHEN g % 50 = 0 THEN 503 ELSE 200 END, g % 50 <> 0,
      CASE WHEN g % 4 = 0 THEN 300 ELSE 0 END, CASE WHEN g % 4 = 0 THEN 120 ELSE 0 END,
      CASE WHEN g % 4 = 0 THEN 450 ELSE 0 END, t + interval '2 seconds'
    FROM generate_series($1::bigint, $2::bigint) AS g,
      LATERAL (SELECT $3::timestamp(3) + ((g - $1) * $4::float8) * interval '1 millisecond' AS t) AS timed`;
  return insertByDay(sql, scenario, 'UsageEvent', rows, insert, log);
}
