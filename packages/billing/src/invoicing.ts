import {
  type ProjectedCharge,
  priceSubscriptionPeriod,
  projectPeriodCharge,
} from '@portcullis/core/billing/invoice';
import { type PlanPricing, pricingFromLegacyPlan, ZPlanPricing } from '@portcullis/core/billing/pricing';
import { conflict, notFound } from '@portcullis/core/errors';
import { billingPeriod, hourStart } from '@portcullis/core/periods';
import { inTransaction, lockKey, type OrgCtx, writeAudit } from '@portcullis/core/verbs/context';
import type { Db, InvoiceStatus, Prisma, SubscriptionStatus, Tx } from '@portcullis/db';

/**
 * Closing billing periods into invoices. Postgres is the source of truth: usage comes from the
 * hourly UsageRollup rows and amounts from the exact pricing engine in @portcullis/core.
 *
 * Hourly buckets and periods: a period [start, end) owns the buckets that begin in
 * [hourStart(start), hourStart(end)). Anchors in the middle of an hour thus give the partial hour
 * to the period that starts in it; every bucket belongs to exactly one period, so nothing is billed
 * twice and the first hour of a subscription is never lost.
 */

export const DEFAULT_SETTLE_MS = 10 * 60_000;
export const INVOICE_DUE_DAYS = 14;
const DAY_MS = 86_400_000;
// A billing period is at least 28 days long: a subscription younger than that has nothing to close.
const SHORTEST_PERIOD_MS = 28 * DAY_MS;
const SUBSCRIPTION_BATCH = 200;
// Statuses that were active at some point; PENDING and REJECTED subscriptions were never usable.
const BILLED_STATUSES: SubscriptionStatus[] = ['ACTIVE', 'SUSPENDED', 'CANCELLED'];

type Period = { start: Date; end: Date };

/** The pricing a plan bills with; plans created before Plan.pricing keep their legacy flat price. */
export function planPricingOf(plan: {
  pricing: unknown;
  priceMonthlyMinor: number;
  currency: string;
}): PlanPricing {
  const stored = plan.pricing as Record<string, unknown> | null;
  const isColumnDefault =
    stored !== null &&
    typeof stored === 'object' &&
    Object.keys(stored).length === 1 &&
    stored.model === 'free';
  if (isColumnDefault && plan.priceMonthlyMinor > 0) return pricingFromLegacyPlan(plan);
  return ZPlanPricing.parse(stored ?? {});
}

export const formatInvoiceNumber = (sequence: bigint) => `INV-${sequence.toString().padStart(6, '0')}`;

/** Next number of the provider's sequence; the caller holds the provider's numbering lock. */
async function nextInvoiceNumber(tx: Tx, providerOrgId: string): Promise<string> {
  const rows = await tx.$queryRaw<Array<{ last: string | null }>>`
    SELECT MAX(CAST(substring("number" FROM 5) AS BIGINT))::text AS last
    FROM "Invoice"
    WHERE "providerOrgId" = ${providerOrgId} AND "number" ~ '^INV-[0-9]+$'`;
  return formatInvoiceNumber(BigInt(rows[0]?.last ?? '0') + 1n);
}

export const numberingLockKey = (providerOrgId: string) => `invoice-number:${providerOrgId}`;

/** Usage a period owns (see the module comment for how hourly buckets are assigned). */
async function periodUsage(db: Db | Tx, subscriptionId: string, from: Date, until: Date) {
  const sum = await db.usageRollup.aggregate({
    where: { subscriptionId, bucketStart: { gte: hourStart(from), lt: until } },
    _sum: { billable: true, tokensIn: true, tokensOut: true },
  });
  return {
    billableRequests: sum._sum.billable ?? 0n,
    tokensIn: sum._sum.tokensIn ?? 0n,
    tokensOut: sum._sum.tokensOut ?? 0n,
  };
}

const subscriptionSelect = {
  id: true,
  status: true,
  createdAt: true,
  decidedAt: true,
  updatedAt: true,
  currentPeriodStart: true,
  app: { select: { orgId: true } },
  plan: {
    select: {
      id: true,
      name: true,
      pricing: true,
      priceMonthlyMinor: true,
      currency: true,
      monthlyQuota: true,
      api: { select: { orgId: true, name: true } },
    },
  },
} satisfies Prisma.SubscriptionSelect;

type BillableSubscription = Prisma.SubscriptionGetPayload<{ select: typeof subscriptionSelect }>;

/**
 * Periods of a subscription that can be invoiced at `cutoff`: whole periods that started at or after
 * its creation, ended by `cutoff`, ended after it was approved and (when cancelled) started before
 * the cancellation — a cancelled subscription is never changed again, so `updatedAt` is when it ended.
 */
export function duePeriods(
  subscription: Pick<
    BillableSubscription,
    'status' | 'createdAt' | 'decidedAt' | 'updatedAt' | 'currentPeriodStart'
  >,
  cutoff: Date,
): Period[] {
  const anchor = subscription.currentPeriodStart;
  const created = subscription.createdAt.getTime();
  // Seeded or migrated subscriptions may be ACTIVE without a decision time: active since creation.
  const activeFrom = (subscription.decidedAt ?? subscription.createdAt).getTime();
  const endedAt = subscription.status === 'CANCELLED' ? subscription.updatedAt.getTime() : Infinity;
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
  /** a period is closed only this long after it ended, so late usage has landed (default 10 min) */
  settleMs?: number;
  /** who asked (a platform admin); the scheduled job leaves it out */
  actor?: { id: string } | null;
}

export interface CloseDuePeriodsSummary {
  invoicesCreated: number;
  /** sum of the new invoices' totals, per currency (never added across currencies) */
  totalsByCurrency: Record<string, bigint>;
  /** periods left for a later run, with why (e.g. a plan whose stored pricing does not parse) */
  skipped: Array<{ subscriptionId: string; periodStart: Date; reason: string }>;
}

type IssuedInvoice = { id: string; number: string; currency: string; totalMinor: bigint };

/** One invoice for one period, in one transaction under the provider's numbering lock; null if it exists. */
async function issueInvoice(
  db: Db,
  subscription: BillableSubscription,
  period: Period,
  options: { now: Date; actor: { id: string } | null },
): Promise<IssuedInvoice | null> {
  const pricing = planPricingOf(subscription.plan);
  const providerOrgId = subscription.plan.api.orgId;
  return inTransaction(db, async (tx) => {
    // Serialises numbering per provider; after it, a concurrent run's committed invoice is visible.
    await lockKey(tx, numberingLockKey(providerOrgId));
    const existing = await tx.invoice.findUnique({
      where: { subscriptionId_periodStart: { subscriptionId: subscription.id, periodStart: period.start } },
      select: { id: true },
    });
    if (existing) return null;
    const usage = await periodUsage(tx, subscription.id, period.start, hourStart(period.end));
    const priced = priceSubscriptionPeriod({
      pricing,
      planName: subscription.plan.name,
      period,
      subscriptionCreatedAt: subscription.createdAt,
      usage,
      monthlyQuota: subscription.plan.monthlyQuota,
    });
    const stripe = await tx.stripeAccount.findUnique({
      where: { orgId: providerOrgId },
      select: { orgId: true },
    });
    const number = await nextInvoiceNumber(tx, providerOrgId);
    const draft = await tx.invoice.create({
      data: {
        number,
        customerOrgId: subscription.app.orgId,
        providerOrgId,
        subscriptionId: subscription.id,
        periodStart: period.start,
        periodEnd: period.end,
        status: 'DRAFT',
        currency: priced.currency,
        subtotalMinor: priced.subtotalMinor,
        totalMinor: priced.totalMinor,
        billedVia: stripe ? 'stripe' : 'local',
        lines: {
          create: priced.lines.map((line) => ({ ...line, subscriptionId: subscription.id })),
        },
      },
      select: { id: true },
    });
    const free = priced.totalMinor === 0n;
    const status: InvoiceStatus = free ? 'PAID' : 'FINALIZED';
    await tx.invoice.update({
      where: { id: draft.id },
      data: {
        status,
        finalizedAt: options.now,
        dueAt: new Date(options.now.getTime() + INVOICE_DUE_DAYS * DAY_MS),
        paidAt: free ? options.now : null,
      },
    });
    await tx.auditLog.create({
      data: {
        orgId: providerOrgId,
        actorId: options.actor?.id ?? null,
        action: 'invoice.issue',
        targetType: 'Invoice',
        targetId: draft.id,
        after: {
          number,
          subscriptionId: subscription.id,
          periodStart: period.start.toISOString(),
          currency: priced.currency,
          totalMinor: priced.totalMinor.toString(),
          status,
        },
      },
    });
    return { id: draft.id, number, currency: priced.currency, totalMinor: priced.totalMinor };
  });
}

/**
 * Invoices every billing period that has ended (and settled) without an invoice. Safe to run from
 * several processes at once and to re-run after a crash: each invoice is its own transaction, the
 * (subscriptionId, periodStart) check runs under the provider's lock and the unique index backs it.
 */
export async function closeDuePeriods(
  db: Db,
  options: CloseDuePeriodsOptions,
): Promise<CloseDuePeriodsSummary> {
  const cutoff = new Date(options.now.getTime() - (options.settleMs ?? DEFAULT_SETTLE_MS));
  const summary: CloseDuePeriodsSummary = { invoicesCreated: 0, totalsByCurrency: {}, skipped: [] };
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
      where: { subscriptionId: { in: batch.map((s) => s.id) } },
      select: { subscriptionId: true, periodStart: true },
    });
    const done = new Set(invoiced.map((i) => `${i.subscriptionId}|${i.periodStart.getTime()}`));
    for (const subscription of batch) {
      for (const period of duePeriods(subscription, cutoff)) {
        if (done.has(`${subscription.id}|${period.start.getTime()}`)) continue;
        try {
          const issued = await issueInvoice(db, subscription, period, {
            now: options.now,
            actor: options.actor ?? null,
          });
          if (!issued) continue;
          summary.invoicesCreated += 1;
          summary.totalsByCurrency[issued.currency] =
            (summary.totalsByCurrency[issued.currency] ?? 0n) + issued.totalMinor;
        } catch (error) {
          // One unreadable plan must not hold back every other provider's invoices.
          summary.skipped.push({
            subscriptionId: subscription.id,
            periodStart: period.start,
            reason: error instanceof Error ? error.message : String(error),
          });
        }
      }
    }
    if (batch.length < SUBSCRIPTION_BATCH) break;
  }
  return summary;
}

export type PeriodPreview = ProjectedCharge & {
  subscriptionId: string;
  period: Period;
  usedSoFar: { billableRequests: bigint; tokensIn: bigint; tokensOut: bigint };
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
