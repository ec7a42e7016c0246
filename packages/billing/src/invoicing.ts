import { type ProjectedCharge, projectPeriodCharge } from '@portcullis/core/billing/invoice';
import { conflict, notFound } from '@portcullis/core/errors';
import { billingPeriod, hourStart } from '@portcullis/core/periods';
import type { Db, SubscriptionStatus, Tx } from '@portcullis/db';
import { inTransaction, type OrgCtx, writeAudit } from '@portcullis/services/verbs/context';
import {
  type BillableSubscription,
  type IssueOutcome,
  issueLateUsageInvoice,
  issuePeriodInvoice,
  type Period,
  type PeriodTotals,
  periodUsage,
  planPricingOf,
  subscriptionSelect,
} from './invoice-issue.ts';
import { type CloseGate, readCloseGate, sourcesBehind, type WatermarkSourceState } from './watermarks.ts';

export { planPricingOf } from './invoice-issue.ts';

/**
 * Closing billing periods into invoices. Postgres is the source of truth: usage comes from the
 * hourly UsageRollup rows and amounts from the exact pricing engine in @portcullis/core.
 *
 * Hourly buckets and periods: a period [start, end) owns the buckets that begin in
 * [hourStart(start), hourStart(end)). Anchors in the middle of an hour thus give the partial hour
 * to the period that starts in it; every bucket belongs to exactly one period, so nothing is billed
 * twice and the first hour of a subscription is never lost.
 *
 * A period closes only when no usage for it can still arrive: it has ended at least `settleMs` ago AND
 * every usage source's watermark has passed its end (watermarks.ts). Usage that arrives anyway is billed
 * on the subscription's next invoice (late-usage.ts).
 */

const DEFAULT_SETTLE_MS = 10 * 60_000;
const DAY_MS = 86_400_000;
// A billing period is at least 28 days long: a subscription younger than that has nothing to close.
const SHORTEST_PERIOD_MS = 28 * DAY_MS;
const SUBSCRIPTION_BATCH = 200;
// Statuses that were active at some point; PENDING and REJECTED subscriptions were never usable.
const BILLED_STATUSES: SubscriptionStatus[] = ['ACTIVE', 'SUSPENDED', 'CANCELLED'];
/** A cancelled subscription's late usage is looked for this long after it ended (its own invoice). */
const CANCELLED_LATE_USAGE_WINDOW_MS = 35 * DAY_MS;
const END_OF_TIME = new Date(8_640_000_000_000_000);

/** When the subscription's API was retired (the gateway refuses its calls from then on), or null. */
export function retiredAtOf(subscription: {
  plan: { api: { status: string; sunsetAt: Date | null } };
}): Date | null {
  const { api } = subscription.plan;
  return api.status === 'RETIRED' ? (api.sunsetAt ?? new Date(0)) : null;
}

/**
 * Periods of a subscription that can be invoiced at `cutoff`: whole periods that started at or after
 * its creation, ended by `cutoff`, ended after it was approved and (when cancelled, or its API retired)
 * started before the cancellation or retirement — a cancelled subscription is never changed again, so
 * `updatedAt` is when it ended; a retired API takes no calls, so no later period has usage or a fee.
 */
export function duePeriods(
  subscription: Pick<
    BillableSubscription,
    'status' | 'createdAt' | 'decidedAt' | 'updatedAt' | 'currentPeriodStart'
  > & { retiredAt?: Date | null },
  cutoff: Date,
): Period[] {
  const anchor = subscription.currentPeriodStart;
  const created = subscription.createdAt.getTime();
  // Seeded or migrated subscriptions may be ACTIVE without a decision time: active since creation.
  const activeFrom = (subscription.decidedAt ?? subscription.createdAt).getTime();
  const endedAt = Math.min(
    subscription.status === 'CANCELLED' ? subscription.updatedAt.getTime() : Infinity,
    subscription.retiredAt ? subscription.retiredAt.getTime() : Infinity,
  );
  const out: Period[] = [];
  let period = billingPeriod(anchor, subscription.createdAt);
  if (period.start.getTime() < created) period = billingPeriod(anchor, period.end);
  while (period.end.getTime() <= cutoff.getTime() && period.start.getTime() < endedAt) {
    if (period.end.getTime() > activeFrom) out.push(period);
    period = billingPeriod(anchor, period.end);
  }
  return out;
}

export interface CloseDuePeriodsOptions {
  now: Date;
  /** a period is closed no sooner than this long after it ended (default 10 min) */
  settleMs?: number;
  /** who asked (a platform admin); the scheduled job leaves it out */
  actor?: { id: string } | null;
  /** when a usage source counts as stale, and when a silent gateway stops holding (watermarks.ts) */
  watermarks?: { staleMs?: number; gatewayGiveUpMs?: number };
  /** look for late usage of cancelled subscriptions (a standalone invoice); default true */
  cancelledLateUsage?: boolean;
}

interface HeldPeriods {
  /** ended (and settled) periods left for a later run because usage for them may still arrive */
  periods: number;
  /** the earliest end among them */
  earliestEnd: Date | null;
  /** the sources the earliest one waits for, with their watermarks and whether they still report */
  waitingFor: WatermarkSourceState[];
}

interface LateUsageCharged {
  subscriptionId: string;
  /** the adjusted period's invoice number, and the invoice carrying the charge */
  adjustedInvoice: string;
  billedOn: string;
  periodStart: Date;
  amountMinor: bigint;
  currency: string;
}

export interface CloseDuePeriodsSummary {
  invoicesCreated: number;
  /** sum of the new invoices' totals, per currency (never added across currencies) */
  totalsByCurrency: Record<string, bigint>;
  /** periods left for a later run, with why (e.g. a plan whose stored pricing does not parse) */
  skipped: Array<{ subscriptionId: string; periodStart: Date; reason: string }>;
  held: HeldPeriods;
  lateUsage: LateUsageCharged[];
}

function noteIssued(summary: CloseDuePeriodsSummary, subscriptionId: string, outcome: IssueOutcome) {
  for (const item of outcome.review) {
    summary.skipped.push({
      subscriptionId,
      periodStart: item.periodStart,
      reason: `${item.number}: ${item.reason}`,
    });
  }
  const issued = outcome.issued;
  if (!issued) return;
  summary.invoicesCreated += 1;
  summary.totalsByCurrency[issued.currency] =
    (summary.totalsByCurrency[issued.currency] ?? 0n) + issued.totalMinor;
  for (const late of issued.lateUsage) {
    summary.lateUsage.push({
      subscriptionId,
      adjustedInvoice: late.adjustedNumber,
      billedOn: issued.number,
      periodStart: late.period.start,
      amountMinor: late.charge.amountMinor,
      currency: late.charge.currency,
    });
  }
}

function noteHeld(summary: CloseDuePeriodsSummary, gate: CloseGate, end: Date, periods: number) {
  summary.held.periods += periods;
  if (summary.held.earliestEnd === null || end < summary.held.earliestEnd) {
    summary.held.earliestEnd = end;
    summary.held.waitingFor = sourcesBehind(gate, end);
  }
}

/**
 * Invoices every billing period that has ended, settled and that no usage source still holds, without
 * an invoice; then bills the late usage of cancelled subscriptions that will have no later invoice.
 * Safe to run from several processes at once and to re-run after a crash: each invoice is its own
 * transaction, the (subscriptionId, periodStart) check runs under the provider's lock and the unique
 * index backs it; late usage is recorded in the same transaction as the line that charges it.
 */
export async function closeDuePeriods(
  db: Db,
  options: CloseDuePeriodsOptions,
): Promise<CloseDuePeriodsSummary> {
  const cutoff = new Date(options.now.getTime() - (options.settleMs ?? DEFAULT_SETTLE_MS));
  const gate = await readCloseGate(db, { now: options.now, ...options.watermarks });
  const summary: CloseDuePeriodsSummary = {
    invoicesCreated: 0,
    totalsByCurrency: {},
    skipped: [],
    held: { periods: 0, earliestEnd: null, waitingFor: [] },
    lateUsage: [],
  };
  const issue = { now: options.now, actor: options.actor ?? null };
  const cancelledSince = options.now.getTime() - CANCELLED_LATE_USAGE_WINDOW_MS;
  let cursor: string | undefined;
  for (;;) {
    const batch = await db.subscription.findMany({
      where: {
        status: { in: BILLED_STATUSES },
        createdAt: { lte: new Date(cutoff.getTime() - SHORTEST_PERIOD_MS) },
      },
      select: subscriptionSelect,
      orderBy: { id: 'asc' },
      take: SUBSCRIPTION_BATCH,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    if (batch.length === 0) break;
    cursor = batch[batch.length - 1]?.id;
    const invoiced = await db.invoice.findMany({
      where: { subscriptionId: { in: batch.map((s) => s.id) }, kind: 'period' },
      select: { subscriptionId: true, periodStart: true },
    });
    const done = new Set(invoiced.map((i) => `${i.subscriptionId}|${i.periodStart.getTime()}`));
    const key = (subscription: BillableSubscription, period: Period) =>
      `${subscription.id}|${period.start.getTime()}`;
    for (const subscription of batch) {
      const retiredAt = retiredAtOf(subscription);
      const due = duePeriods({ ...subscription, retiredAt }, cutoff);
      for (const [index, period] of due.entries()) {
        if (done.has(key(subscription, period))) continue;
        // Periods come in order: once one waits, every later one of this subscription waits too.
        if (gate.closableUntil !== null && period.end > gate.closableUntil) {
          noteHeld(summary, gate, period.end, due.length - index);
          break;
        }
        try {
          const outcome = await issuePeriodInvoice(db, subscription, period, issue);
          noteIssued(summary, subscription.id, outcome);
          done.add(key(subscription, period));
        } catch (error) {
          // One unreadable plan must not hold back every other provider's invoices.
          summary.skipped.push({
            subscriptionId: subscription.id,
            periodStart: period.start,
            reason: error instanceof Error ? error.message : String(error),
          });
          break;
        }
      }
      // A retired API's subscription has no later invoice either: its late usage is billed the same way.
      const endedRecently =
        (subscription.status === 'CANCELLED' && subscription.updatedAt.getTime() >= cancelledSince) ||
        (retiredAt !== null && retiredAt.getTime() >= cancelledSince);
      if (options.cancelledLateUsage === false || !endedRecently) continue;
      // Only once its last period is invoiced: until then late usage rides on that invoice.
      if (
        !duePeriods({ ...subscription, retiredAt }, END_OF_TIME).every((period) =>
          done.has(key(subscription, period)),
        )
      )
        continue;
      try {
        noteIssued(summary, subscription.id, await issueLateUsageInvoice(db, subscription, issue));
      } catch (error) {
        summary.skipped.push({
          subscriptionId: subscription.id,
          periodStart: options.now,
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    }
    if (batch.length < SUBSCRIPTION_BATCH) break;
  }
  return summary;
}

export type PeriodPreview = ProjectedCharge & {
  subscriptionId: string;
  period: Period;
  usedSoFar: PeriodTotals;
  monthlyQuota: number | null;
};

export interface PricedPlan {
  name: string;
  pricing: unknown;
  priceMonthlyMinor: number;
  currency: string;
  monthlyQuota: number | null;
}

/** The current period's projected lines and total (usage so far extrapolated to the period's end). */
export function projectSubscription(
  subscription: { id: string; createdAt: Date; currentPeriodStart: Date; plan: PricedPlan },
  usedSoFar: PeriodPreview['usedSoFar'],
  now: Date,
): PeriodPreview {
  const period = billingPeriod(subscription.currentPeriodStart, now);
  const projected = projectPeriodCharge({
    pricing: planPricingOf(subscription.plan),
    planName: subscription.plan.name,
    periodStart: period.start,
    periodEnd: period.end,
    now,
    subscriptionCreatedAt: subscription.createdAt,
    usedSoFar: usedSoFar.billableRequests,
    tokensInSoFar: usedSoFar.tokensIn,
    tokensOutSoFar: usedSoFar.tokensOut,
    toolCallsSoFar: usedSoFar.toolCalls,
    monthlyQuota: subscription.plan.monthlyQuota,
  });
  return {
    ...projected,
    subscriptionId: subscription.id,
    period,
    usedSoFar,
    monthlyQuota: subscription.plan.monthlyQuota,
  };
}

/** Preview of the running period of one subscription; callers scope it to an org first. */
export async function previewCurrentPeriod(
  db: Db | Tx,
  subscriptionId: string,
  now: Date,
): Promise<PeriodPreview> {
  const subscription = await db.subscription.findUnique({
    where: { id: subscriptionId },
    select: subscriptionSelect,
  });
  if (!subscription) throw notFound('Subscription');
  const period = billingPeriod(subscription.currentPeriodStart, now);
  const usedSoFar = await periodUsage(db, subscription.id, period.start, hourStart(period.end));
  return projectSubscription(subscription, usedSoFar, now);
}

/** Provider-side change of a local invoice's status (Stripe reports its own invoices' payments). */
async function settleLocalInvoice(ctx: OrgCtx, invoiceId: string, to: 'PAID' | 'VOID') {
  return inTransaction(ctx.db, async (tx) => {
    const where = { id: invoiceId, providerOrgId: ctx.org.id };
    const invoice = await tx.invoice.findFirst({
      where,
      select: { id: true, status: true, billedVia: true, number: true },
    });
    if (!invoice) throw notFound('Invoice');
    if (invoice.billedVia !== 'local') {
      throw conflict('This invoice is collected through Stripe; its status comes from Stripe');
    }
    const at = new Date();
    // Guarded on FINALIZED so two admins acting at once cannot both change it.
    const { count } = await tx.invoice.updateMany({
      where: { ...where, status: 'FINALIZED', billedVia: 'local' },
      data: to === 'PAID' ? { status: 'PAID', paidAt: at } : { status: 'VOID' },
    });
    if (count === 0) throw conflict(`Only a finalized invoice can be changed; this one is ${invoice.status}`);
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: to === 'PAID' ? 'invoice.markPaid' : 'invoice.void',
      targetType: 'Invoice',
      targetId: invoice.id,
      before: { status: invoice.status },
      after: { status: to },
    });
    return { id: invoice.id, number: invoice.number, status: to };
  });
}

/** ctx.org is the provider; only FINALIZED local invoices. */
export const markInvoicePaid = (ctx: OrgCtx, input: { invoiceId: string }) =>
  settleLocalInvoice(ctx, input.invoiceId, 'PAID');

/** ctx.org is the provider; only FINALIZED local invoices. */
export const voidInvoice = (ctx: OrgCtx, input: { invoiceId: string }) =>
  settleLocalInvoice(ctx, input.invoiceId, 'VOID');
