import { hourStart } from '@portcullis/core/periods';
import type { Db } from '@portcullis/db';
import type Stripe from 'stripe';
import { type MeterEventToSend, meterEventIdentifier, sendMeterEvents } from '../stripe/meter-events.ts';
import { readStripeToolPrices } from '../stripe/tool-catalog.ts';
import { type BucketUsage, type MeterPlan, meterIncrements, REQUEST_METER } from './meter-split.ts';
import { toolMeterEventName } from './plan-pricing.ts';

/**
 * Usage reaches Stripe as one meter event per subscription × hour bucket × meter × increase, never one
 * per request. The meters are the plan's request meter and one per priced MCP tool (meter-split.ts
 * decides what each gets). Each push is a StripeMeterPush row written (in a transaction, under a
 * per-subscription lock) BEFORE it is sent; its id is the meter event identifier, so every resend of it
 * is deduplicated by Stripe. The ledger invariant: for every bucket and meter, SUM(push.value) = the
 * total last seen for that meter, across the bucket's meters never more than its billable requests, and
 * a push is never deleted or changed, so Stripe's sum can only ever reach SUM(UsageRollup.billable).
 *
 * Stripe remembers identifiers for about 24 hours. A push that was attempted and is still unsent after
 * METER_RESEND_WINDOW_MS is therefore not resent (a resend could be counted twice); it is reported as
 * stale for an operator. A push never attempted is always safe to send. lastError records the state:
 * null = never attempted, "attempt: …" = in flight (a crash may have sent it), "retryable: …",
 * "permanent: …" (Stripe refused it; resending cannot help).
 */
const METER_RESEND_WINDOW_MS = 20 * 3_600_000;
/** Stripe refuses meter events stamped more than 35 days ago; a day of margin. */
const METER_USAGE_LOOKBACK_MS = 34 * 86_400_000;
/**
 * Stripe bills a meter event in the billing period its timestamp falls in, and finalizes a period's
 * invoice an hour after the period ends (its default finalization grace); an event stamped in a period
 * already finalized is stored and never billed. Usage pushed this long after its hour ended is
 * therefore stamped when it is sent (billed in the period open then) instead of inside its hour.
 */
const LATE_PUSH_AFTER_MS = 30 * 60_000;
const HOUR_MS = 3_600_000;
const SUBSCRIPTIONS_PER_TRANSACTION = 50;

interface StaleMeterPush {
  id: string;
  subscriptionId: string;
  bucketStart: Date;
  /** "" = the request meter, otherwise the priced tool's meter */
  tool: string;
  value: bigint;
  createdAt: Date;
  lastError: string | null;
}

export interface MeterSyncSummary {
  pushesCreated: number;
  unitsQueued: bigint;
  sent: number;
  duplicates: number;
  failed: number;
  /** attempted, unsent and too old to resend safely: check Stripe, then mark sent or requeue by hand */
  stale: StaleMeterPush[];
  /** refused by Stripe for good (e.g. older than 35 days) */
  permanentlyFailed: number;
  /**
   * buckets where a meter holds more than the rollups now give it: rollups shrank (they should only
   * grow), or a tool was priced after its calls in the bucket had gone to the request meter
   */
  overPushedBuckets: number;
}

export function emptyMeterSummary(): MeterSyncSummary {
  return {
    pushesCreated: 0,
    unitsQueued: 0n,
    sent: 0,
    duplicates: 0,
    failed: 0,
    stale: [],
    permanentlyFailed: 0,
    overPushedBuckets: 0,
  };
}

/** Subscriptions of the provider whose usage goes to Stripe: linked, on a plan with a metered price. */
async function meteredSubscriptions(db: Db, providerOrgId: string): Promise<Map<string, MeterPlan>> {
  const rows = await db.$queryRaw<Array<{ id: string; requestMetered: boolean; toolPrices: unknown }>>`
    SELECT s.id, sp."usagePriceId" IS NOT NULL AS "requestMetered", sp."toolPrices"
    FROM "Subscription" s
    JOIN "Plan" pl ON pl.id = s."planId"
    JOIN "Api" a ON a.id = pl."apiId"
    JOIN "StripePlanPrice" sp ON sp."planId" = pl.id
    WHERE a."orgId" = ${providerOrgId} AND s."stripeSubscriptionId" IS NOT NULL
      AND (sp."usagePriceId" IS NOT NULL OR sp."toolPrices" <> '{}'::jsonb)
    ORDER BY s.id`;
  return new Map(
    rows.map((row) => [
      row.id,
      {
        requestMetered: row.requestMetered,
        pricedTools: new Set(Object.keys(readStripeToolPrices(row.toolPrices))),
      },
    ]),
  );
}

type BucketRows = Array<{ sid: string; bucket: Date; meter: string; value: bigint }>;

/** The bucket's usage and ledger, keyed by subscription and bucket start. */
function collectBuckets(usage: BucketRows, calls: BucketRows, pushed: BucketRows) {
  const buckets = new Map<string, { sid: string; bucket: Date; usage: BucketUsage }>();
  const at = (row: BucketRows[number]) => {
    const key = `${row.sid}\u0000${row.bucket.getTime()}`;
    let entry = buckets.get(key);
    if (!entry) {
      entry = { sid: row.sid, bucket: row.bucket, usage: { billable: 0n, toolCalls: {}, pushed: {} } };
      buckets.set(key, entry);
    }
    return entry.usage as {
      billable: bigint;
      toolCalls: Record<string, bigint>;
      pushed: Record<string, bigint>;
    };
  };
  for (const row of usage) at(row).billable = row.value;
  for (const row of calls) at(row).toolCalls[row.meter] = row.value;
  for (const row of pushed) at(row).pushed[row.meter] = row.value;
  return [...buckets.values()];
}

/** Identifies one increase of one meter; request pushes keep the identifiers they always had. */
function pushIdentifier(sid: string, bucket: Date, meter: string, cumulative: bigint): string {
  return meter === REQUEST_METER
    ? meterEventIdentifier([sid, bucket.getTime(), cumulative])
    : meterEventIdentifier([sid, bucket.getTime(), 'tool', meter, cumulative]);
}

/**
 * Records, for every bucket since `from`, what each meter (requests, priced tools: meter-split.ts)
 * has not been given yet. Usage before the account was connected is left to local invoices; buckets
 * older than the lookback are not compared again (late usage for them is charged on the local
 * invoices only).
 */
export async function queueMeterPushes(
  db: Db,
  input: { providerOrgId: string; connectedAt: Date; now: Date; lookbackMs?: number },
  summary: MeterSyncSummary,
): Promise<void> {
  const earliest = hourStart(new Date(input.now.getTime() - (input.lookbackMs ?? METER_USAGE_LOOKBACK_MS)));
  const connected = hourStart(input.connectedAt);
  const from = connected > earliest ? connected : earliest;
  const plans = await meteredSubscriptions(db, input.providerOrgId);
  const ids = [...plans.keys()];
  for (let i = 0; i < ids.length; i += SUBSCRIPTIONS_PER_TRANSACTION) {
    const chunk = ids.slice(i, i + SUBSCRIPTIONS_PER_TRANSACTION);
    await db.$transaction(async (tx) => {
      // Serialises with any other run on these subscriptions: the sums below then include every push
      // committed before, so two runs can never both queue the same increase.
      for (const id of chunk) {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`stripe-meter:${id}`}))`;
      }
      // Requests and tool calls come from the same rollup statement, so a bucket's two are in step.
      const usage = await tx.$queryRaw<BucketRows>`
        SELECT "subscriptionId" AS sid, "bucketStart" AS bucket, '' AS meter, SUM(billable)::bigint AS value
        FROM "UsageRollup"
        WHERE "subscriptionId" = ANY(${chunk}::text[]) AND "bucketStart" >= ${from}::timestamp(3)
        GROUP BY 1, 2`;
      const calls = await tx.$queryRaw<BucketRows>`
        SELECT "subscriptionId" AS sid, "bucketStart" AS bucket, tool AS meter, billable AS value
        FROM "ToolCallRollup"
        WHERE "subscriptionId" = ANY(${chunk}::text[]) AND "bucketStart" >= ${from}::timestamp(3)
          AND billable > 0`;
      const pushed = await tx.$queryRaw<BucketRows>`
        SELECT "subscriptionId" AS sid, "bucketStart" AS bucket, tool AS meter, SUM(value)::bigint AS value
        FROM "StripeMeterPush"
        WHERE "subscriptionId" = ANY(${chunk}::text[]) AND "bucketStart" >= ${from}::timestamp(3)
        GROUP BY 1, 2, 3`;
      const rows = [];
      for (const { sid, bucket, usage: bucketUsage } of collectBuckets(usage, calls, pushed)) {
        const { increments, overPushed } = meterIncrements(bucketUsage, plans.get(sid)!);
        if (overPushed) summary.overPushedBuckets += 1;
        for (const { meter, value, cumulative } of increments) {
          rows.push({
            id: pushIdentifier(sid, bucket, meter, cumulative),
            subscriptionId: sid,
            bucketStart: bucket,
            tool: meter,
            value,
            cumulative,
            createdAt: input.now,
          });
        }
      }
      if (rows.length === 0) return;
      await tx.stripeMeterPush.createMany({ data: rows });
      summary.pushesCreated += rows.length;
      for (const row of rows) summary.unitsQueued += row.value;
    });
  }
}

interface UnsentPush extends StaleMeterPush {
  planId: string;
  requestEventName: string | null;
  toolPrices: unknown;
  stripeCustomerId: string | null;
  meterEventName?: string | null;
}

/** The meter a push goes to: the plan's request meter, or its tool's (named the same way always). */
function eventNameOf(push: UnsentPush): string | null {
  if (push.tool === REQUEST_METER) return push.requestEventName;
  // No catalog row for the plan (requestEventName is never null otherwise): nowhere to send it yet.
  if (push.requestEventName === null) return null;
  return (
    readStripeToolPrices(push.toolPrices)[push.tool]?.meterEventName ??
    toolMeterEventName(push.planId, push.tool)
  );
}

const isPermanent = (push: { lastError: string | null }) => push.lastError?.startsWith('permanent:') ?? false;

/**
 * A bucket's usage is stamped inside its hour, and never later than when it was first attempted; late
 * usage (sent more than LATE_PUSH_AFTER_MS after its hour ended: the worker was behind, events were
 * held through an outage, a backfill) is stamped when it is sent, so Stripe still bills it, once, on
 * the next invoice — the local invoices charge it as a late-usage line (late-usage.ts).
 */
function eventTimestamp(push: { bucketStart: Date; createdAt: Date }, nowMs: number): Date {
  const bucketEnd = push.bucketStart.getTime() + HOUR_MS - 1000;
  if (nowMs - bucketEnd > LATE_PUSH_AFTER_MS) return new Date(nowMs);
  return new Date(Math.min(bucketEnd, push.createdAt.getTime()));
}

/** Sends every push that is unsent and safe to send; marks the ones Stripe holds now as sent. */
export async function sendMeterPushes(
  db: Db,
  stripe: Stripe,
  input: { providerOrgId: string; now: Date; limit?: number },
  summary: MeterSyncSummary,
): Promise<void> {
  const unsent = await db.$queryRaw<UnsentPush[]>`
    SELECT p.id, p."subscriptionId", p."bucketStart", p.tool, p.value, p."createdAt", p."lastError",
      pl.id AS "planId", sp."meterEventName" AS "requestEventName", sp."toolPrices", c."stripeCustomerId"
    FROM "StripeMeterPush" p
    JOIN "Subscription" s ON s.id = p."subscriptionId"
    JOIN "App" ap ON ap.id = s."appId"
    JOIN "Plan" pl ON pl.id = s."planId"
    JOIN "Api" a ON a.id = pl."apiId"
    LEFT JOIN "StripePlanPrice" sp ON sp."planId" = pl.id
    LEFT JOIN "StripeCustomer" c ON c."providerOrgId" = a."orgId" AND c."customerOrgId" = ap."orgId"
    WHERE a."orgId" = ${input.providerOrgId} AND p."sentAt" IS NULL
    ORDER BY p."createdAt", p.id`;
  const cutoff = input.now.getTime() - METER_RESEND_WINDOW_MS;
  const sendable: UnsentPush[] = [];
  for (const push of unsent) {
    push.meterEventName = eventNameOf(push);
    if (isPermanent(push)) summary.permanentlyFailed += 1;
    else if (push.lastError !== null && push.createdAt.getTime() <= cutoff) {
      const { id, subscriptionId, bucketStart, tool, value, createdAt, lastError } = push;
      summary.stale.push({ id, subscriptionId, bucketStart, tool, value, createdAt, lastError });
    } else if (push.meterEventName && push.stripeCustomerId) sendable.push(push);
  }
  const batch = sendable.slice(0, input.limit ?? 5000);
  if (batch.length === 0) return;

  // The first attempt restarts the resend clock: Stripe's identifier memory starts when it first sees it.
  const neverAttempted = batch.filter((push) => push.lastError === null).map((push) => push.id);
  if (neverAttempted.length > 0) {
    await db.stripeMeterPush.updateMany({
      where: { id: { in: neverAttempted }, sentAt: null, lastError: null },
      data: { createdAt: input.now },
    });
    for (const push of batch) if (push.lastError === null) push.createdAt = input.now;
  }
  await db.stripeMeterPush.updateMany({
    where: { id: { in: batch.map((push) => push.id) }, sentAt: null },
    data: { lastError: `attempt: ${input.now.toISOString()}` },
  });

  const events: MeterEventToSend[] = batch.map((push) => ({
    identifier: push.id,
    eventName: push.meterEventName!,
    customerId: push.stripeCustomerId!,
    value: push.value,
    timestamp: eventTimestamp(push, input.now.getTime()),
  }));
  const outcomes = await sendMeterEvents(stripe, events, { now: () => input.now.getTime() });
  const accepted: string[] = [];
  for (const outcome of outcomes) {
    if (outcome.status === 'failed') {
      summary.failed += 1;
      const state = outcome.retryable ? 'retryable' : 'permanent';
      await db.stripeMeterPush.updateMany({
        where: { id: outcome.identifier, sentAt: null },
        data: { lastError: `${state}: ${outcome.error ?? 'unknown error'}`.slice(0, 1000) },
      });
      continue;
    }
    accepted.push(outcome.identifier);
    if (outcome.status === 'sent') summary.sent += 1;
    else summary.duplicates += 1;
  }
  if (accepted.length > 0) {
    await db.stripeMeterPush.updateMany({
      where: { id: { in: accepted } },
      data: { sentAt: input.now, lastError: null },
    });
  }
}
