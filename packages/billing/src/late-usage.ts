import { priceSubscriptionPeriod, type ToolCalls } from '@portcullis/core/billing/invoice';
import { type LateUsageCharge, priceLateUsage } from '@portcullis/core/billing/late-usage';
import { type PlanPricing, ZPlanPricing } from '@portcullis/core/billing/pricing';
import { hourStart } from '@portcullis/core/periods';
import type { Prisma, Tx } from '@portcullis/db';
import { toolCallsBySubscription } from './tool-calls.ts';

/**
 * Late usage: usage that reached a billing period after the period was invoiced (events a gateway held
 * through a Redis + Postgres outage, a partition nobody had reported, a request longer than the
 * watermark's in-flight bound, a manual backfill). The issued invoice is never changed; the difference
 * is charged on the subscription's next invoice, one dated line per period, priced exactly by
 * priceLateUsage (price(usage now) − price(usage billed so far), with the period's own pricing).
 *
 * Each charge is recorded as a LateUsageAdjustment that brings the period's billed usage up to what was
 * counted; its (adjusted invoice, sequence) key is unique, and every caller holds the provider's
 * invoice-numbering lock, so a run repeated or run concurrently finds the step taken and charges nothing.
 */

const DAY_MS = 86_400_000;
/** Periods that ended longer ago than this are not looked at again (a backfill older than it is not billed). */
const LATE_USAGE_LOOKBACK_MS = 400 * DAY_MS;

/** What a period was priced with, kept on its invoice so late usage is priced the same way. */
export interface PricedWith {
  pricing: PlanPricing;
  planName: string;
  monthlyQuota: number | null;
}

/**
 * The pricing, plus the billable calls per tool the period was billed for (`billedToolCalls`, decimal
 * strings): with tool prices, late usage must know which of the billed requests were priced tool calls.
 */
export const pricedWithJson = (priced: PricedWith, toolCalls: ToolCalls = {}) =>
  ({
    ...priced,
    billedToolCalls: Object.fromEntries(Object.entries(toolCalls).map(([tool, n]) => [tool, n.toString()])),
  }) as unknown as Prisma.InputJsonValue;

/** What pricedWithJson stored as the billed tool calls ({} for invoices from before tool prices). */
function billedToolCallsOf(json: unknown): Record<string, bigint> {
  const stored = (json as { billedToolCalls?: unknown } | null)?.billedToolCalls;
  const calls: Record<string, bigint> = {};
  if (typeof stored !== 'object' || stored === null) return calls;
  for (const [tool, n] of Object.entries(stored)) {
    if (typeof n === 'string' && /^\d{1,19}$/.test(n)) calls[tool] = BigInt(n);
  }
  return calls;
}

function parsePricedWith(json: unknown): PricedWith {
  const value = json as { pricing?: unknown; planName?: unknown; monthlyQuota?: unknown };
  return {
    pricing: ZPlanPricing.parse(value.pricing ?? {}),
    planName: String(value.planName ?? ''),
    monthlyQuota: typeof value.monthlyQuota === 'number' ? value.monthlyQuota : null,
  };
}

interface PeriodTotals {
  billable: bigint;
  tokensIn: bigint;
  tokensOut: bigint;
  toolCalls: ToolCalls;
}

export interface PlannedLateUsage {
  adjustedInvoiceId: string;
  adjustedNumber: string;
  period: { start: Date; end: Date };
  sequence: number;
  /** the period's usage now: what it is billed up to once this is recorded */
  actual: PeriodTotals;
  pricedWith: PricedWith;
  charge: LateUsageCharge;
}

export interface LateUsageForReview {
  invoiceId: string;
  number: string;
  periodStart: Date;
  reason: string;
}

interface CandidateRow {
  id: string;
  number: string;
  periodStart: Date;
  periodEnd: Date;
  totalMinor: bigint;
  pricedBillable: bigint | null;
  pricedTokensIn: bigint | null;
  pricedTokensOut: bigint | null;
  pricedWith: unknown;
  last_sequence: number | null;
  a_billable: bigint | null;
  a_tokens_in: bigint | null;
  a_tokens_out: bigint | null;
  a_priced_with: unknown;
  billable: bigint;
  tokens_in: bigint;
  tokens_out: bigint;
}

/** Period invoices of the subscription whose periods' usage differs from what was billed for them. */
function candidates(tx: Tx, subscriptionId: string, since: Date) {
  // A period owns the hourly buckets in [hourStart(start), hourStart(end)), as on its invoice.
  return tx.$queryRaw<CandidateRow[]>`
    SELECT i.id, i.number, i."periodStart", i."periodEnd", i."totalMinor", i."pricedBillable",
      i."pricedTokensIn", i."pricedTokensOut", i."pricedWith",
      a.sequence AS last_sequence, a.billable AS a_billable, a."tokensIn" AS a_tokens_in,
      a."tokensOut" AS a_tokens_out, a."pricedWith" AS a_priced_with,
      u.billable, u.tokens_in, u.tokens_out
    FROM "Invoice" i
    LEFT JOIN LATERAL (
      SELECT x.sequence, x.billable, x."tokensIn", x."tokensOut", x."pricedWith"
      FROM "LateUsageAdjustment" x WHERE x."adjustedInvoiceId" = i.id
      ORDER BY x.sequence DESC LIMIT 1
    ) a ON true
    CROSS JOIN LATERAL (
      SELECT COALESCE(SUM(r.billable), 0)::bigint AS billable,
        COALESCE(SUM(r."tokensIn"), 0)::bigint AS tokens_in,
        COALESCE(SUM(r."tokensOut"), 0)::bigint AS tokens_out
      FROM "UsageRollup" r
      WHERE r."subscriptionId" = ${subscriptionId}
        AND r."bucketStart" >= date_trunc('hour', i."periodStart")
        AND r."bucketStart" < date_trunc('hour', i."periodEnd")
    ) u
    WHERE i."subscriptionId" = ${subscriptionId} AND i.kind = 'period'
      AND i."periodEnd" >= ${since}::timestamp(3)
      AND (
        (COALESCE(a.billable, i."pricedBillable") IS NULL
          AND (u.billable > 0 OR u.tokens_in > 0 OR u.tokens_out > 0))
        OR u.billable <> COALESCE(a.billable, i."pricedBillable")
        OR u.tokens_in <> COALESCE(a."tokensIn", i."pricedTokensIn")
        OR u.tokens_out <> COALESCE(a."tokensOut", i."pricedTokensOut")
      )
    ORDER BY i."periodStart"`;
}

const LINE_KINDS_OF_REQUESTS = new Set(['usage', 'tier', 'overage']);

/**
 * An invoice issued before invoices kept what they were priced from: its billed usage is read back from
 * its lines, and it is priced with the plan's current pricing only if that reproduces its total exactly.
 */
async function legacyBilled(
  tx: Tx,
  row: CandidateRow,
  subscriptionCreatedAt: Date,
  current: PricedWith,
): Promise<{ billed: PeriodTotals; pricedWith: PricedWith } | { reason: string }> {
  const lines = await tx.invoiceLine.findMany({
    where: { invoiceId: row.id },
    select: { kind: true, quantity: true },
  });
  const billed = { billable: 0n, tokensIn: 0n, tokensOut: 0n, toolCalls: {} };
  for (const line of lines) {
    if (LINE_KINDS_OF_REQUESTS.has(line.kind)) billed.billable += line.quantity;
    else if (line.kind === 'tokens_in') billed.tokensIn += line.quantity;
    else if (line.kind === 'tokens_out') billed.tokensOut += line.quantity;
  }
  const repriced = priceSubscriptionPeriod({
    ...current,
    period: { start: row.periodStart, end: row.periodEnd },
    subscriptionCreatedAt,
    usage: { billableRequests: billed.billable, tokensIn: billed.tokensIn, tokensOut: billed.tokensOut },
  });
  if (repriced.totalMinor !== row.totalMinor)
    return {
      reason: 'late usage for an invoice whose pricing is unknown (the plan’s pricing changed since)',
    };
  return { billed, pricedWith: current };
}

/**
 * The late-usage charges a new invoice of this subscription should carry, and the periods a person must
 * look at instead (usage that went down, an older invoice whose pricing cannot be recovered). Call it
 * inside the transaction that issues the invoice, holding the provider's numbering lock.
 */
export async function findLateUsage(
  tx: Tx,
  subscription: { id: string; createdAt: Date },
  options: { now: Date; currentPricing: PricedWith },
): Promise<{ planned: PlannedLateUsage[]; review: LateUsageForReview[] }> {
  const since = new Date(options.now.getTime() - LATE_USAGE_LOOKBACK_MS);
  const planned: PlannedLateUsage[] = [];
  const review: LateUsageForReview[] = [];
  for (const row of await candidates(tx, subscription.id, since)) {
    const tools = await toolCallsBySubscription(tx, [
      { subscriptionId: subscription.id, from: hourStart(row.periodStart), until: hourStart(row.periodEnd) },
    ]);
    const actual: PeriodTotals = {
      billable: row.billable,
      tokensIn: row.tokens_in,
      tokensOut: row.tokens_out,
      toolCalls: tools.get(subscription.id) ?? {},
    };
    let billed: PeriodTotals;
    let pricedWith: PricedWith;
    if (row.a_billable !== null) {
      billed = {
        billable: row.a_billable,
        tokensIn: row.a_tokens_in ?? 0n,
        tokensOut: row.a_tokens_out ?? 0n,
        toolCalls: billedToolCallsOf(row.a_priced_with),
      };
      pricedWith = parsePricedWith(row.a_priced_with);
    } else if (row.pricedBillable !== null) {
      billed = {
        billable: row.pricedBillable,
        tokensIn: row.pricedTokensIn ?? 0n,
        tokensOut: row.pricedTokensOut ?? 0n,
        toolCalls: billedToolCallsOf(row.pricedWith),
      };
      pricedWith = parsePricedWith(row.pricedWith);
    } else {
      const legacy = await legacyBilled(tx, row, subscription.createdAt, options.currentPricing);
      if ('reason' in legacy) {
        review.push({
          invoiceId: row.id,
          number: row.number,
          periodStart: row.periodStart,
          reason: legacy.reason,
        });
        continue;
      }
      ({ billed, pricedWith } = legacy);
      // Invoices from before invoices kept their usage predate tool prices: their calls were requests.
      actual.toolCalls = {};
      if (
        billed.billable === actual.billable &&
        billed.tokensIn === actual.tokensIn &&
        billed.tokensOut === actual.tokensOut
      )
        continue;
    }
    const period = { start: row.periodStart, end: row.periodEnd };
    try {
      const charge = priceLateUsage({
        ...pricedWith,
        period,
        subscriptionCreatedAt: subscription.createdAt,
        billed: {
          billableRequests: billed.billable,
          tokensIn: billed.tokensIn,
          tokensOut: billed.tokensOut,
          toolCalls: billed.toolCalls,
        },
        actual: {
          billableRequests: actual.billable,
          tokensIn: actual.tokensIn,
          tokensOut: actual.tokensOut,
          toolCalls: actual.toolCalls,
        },
        invoiceNumber: row.number,
      });
      planned.push({
        adjustedInvoiceId: row.id,
        adjustedNumber: row.number,
        period,
        sequence: (row.last_sequence ?? 0) + 1,
        actual,
        pricedWith,
        charge,
      });
    } catch (error) {
      review.push({
        invoiceId: row.id,
        number: row.number,
        periodStart: row.periodStart,
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return { planned, review };
}

/** Records the steps taken; `invoiceId` is the invoice carrying their lines (null: nothing was charged). */
export async function recordLateUsage(
  tx: Tx,
  subscriptionId: string,
  planned: readonly PlannedLateUsage[],
  invoiceId: string | null,
): Promise<void> {
  if (planned.length === 0) return;
  await tx.lateUsageAdjustment.createMany({
    data: planned.map((p) => ({
      adjustedInvoiceId: p.adjustedInvoiceId,
      sequence: p.sequence,
      invoiceId: p.charge.amountMinor === 0n ? null : invoiceId,
      subscriptionId,
      billable: p.actual.billable,
      tokensIn: p.actual.tokensIn,
      tokensOut: p.actual.tokensOut,
      amountMinor: p.charge.amountMinor,
      pricedWith: pricedWithJson(p.pricedWith, p.actual.toolCalls),
    })),
  });
}
