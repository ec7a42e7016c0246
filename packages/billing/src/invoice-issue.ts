import { type PricedLine, priceSubscriptionPeriod, type ToolCalls } from '@portcullis/core/billing/invoice';
import { type PlanPricing, pricingFromLegacyPlan, ZPlanPricing } from '@portcullis/core/billing/pricing';
import { hourStart } from '@portcullis/core/periods';
import type { Db, InvoiceStatus, Prisma, Tx } from '@portcullis/db';
import { inTransaction, lockKey } from '@portcullis/services/verbs/context';
import {
  findLateUsage,
  type LateUsageForReview,
  type PlannedLateUsage,
  type PricedWith,
  pricedWithJson,
  recordLateUsage,
} from './late-usage.ts';
import { toolCallsBySubscription } from './tool-calls.ts';

/** Writing one invoice: a period's, or a standalone one carrying late usage only. */

const INVOICE_DUE_DAYS = 14;
const DAY_MS = 86_400_000;

export type Period = { start: Date; end: Date };

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

const formatInvoiceNumber = (sequence: bigint) => `INV-${sequence.toString().padStart(6, '0')}`;

/** Next number of the provider's sequence; the caller holds the provider's numbering lock. */
async function nextInvoiceNumber(tx: Tx, providerOrgId: string): Promise<string> {
  const rows = await tx.$queryRaw<Array<{ last: string | null }>>`
    SELECT MAX(CAST(substring("number" FROM 5) AS BIGINT))::text AS last
    FROM "Invoice"
    WHERE "providerOrgId" = ${providerOrgId} AND "number" ~ '^INV-[0-9]+$'`;
  return formatInvoiceNumber(BigInt(rows[0]?.last ?? '0') + 1n);
}

const numberingLockKey = (providerOrgId: string) => `invoice-number:${providerOrgId}`;

/** What a period is priced from. */
export type PeriodTotals = {
  billableRequests: bigint;
  tokensIn: bigint;
  tokensOut: bigint;
  toolCalls: ToolCalls;
};

/** Usage a period owns: the hourly buckets in [hourStart(from), until). */
export async function periodUsage(
  db: Db | Tx,
  subscriptionId: string,
  from: Date,
  until: Date,
): Promise<PeriodTotals> {
  const [sum, tools] = await Promise.all([
    db.usageRollup.aggregate({
      where: { subscriptionId, bucketStart: { gte: hourStart(from), lt: until } },
      _sum: { billable: true, tokensIn: true, tokensOut: true },
    }),
    toolCallsBySubscription(db, [{ subscriptionId, from: hourStart(from), until }]),
  ]);
  return {
    billableRequests: sum._sum.billable ?? 0n,
    tokensIn: sum._sum.tokensIn ?? 0n,
    tokensOut: sum._sum.tokensOut ?? 0n,
    toolCalls: tools.get(subscriptionId) ?? {},
  };
}

export const subscriptionSelect = {
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
      api: { select: { orgId: true, name: true, status: true, sunsetAt: true } },
    },
  },
} satisfies Prisma.SubscriptionSelect;

export type BillableSubscription = Prisma.SubscriptionGetPayload<{ select: typeof subscriptionSelect }>;

type IssuedInvoice = {
  id: string;
  number: string;
  currency: string;
  totalMinor: bigint;
  /** late usage this invoice charges for */
  lateUsage: PlannedLateUsage[];
};

export type IssueOutcome = { issued: IssuedInvoice | null; review: LateUsageForReview[] };

interface InvoiceDraft {
  kind: 'period' | 'late_usage';
  period: Period;
  currency: string;
  lines: PricedLine[];
  subtotalMinor: bigint;
  totalMinor: bigint;
  priced?: { usage: PeriodTotals; with: PricedWith };
}

interface IssueOptions {
  now: Date;
  actor: { id: string } | null;
}

const currentPricing = (subscription: BillableSubscription): PricedWith => ({
  pricing: planPricingOf(subscription.plan),
  planName: subscription.plan.name,
  monthlyQuota: subscription.plan.monthlyQuota,
});

/** DRAFT → FINALIZED (PAID when zero) and its audit entry; the caller holds the numbering lock. */
async function writeInvoice(
  tx: Tx,
  subscription: BillableSubscription,
  draft: InvoiceDraft,
  options: IssueOptions,
): Promise<{ id: string; number: string }> {
  const providerOrgId = subscription.plan.api.orgId;
  const stripe = await tx.stripeAccount.findUnique({
    where: { orgId: providerOrgId },
    select: { orgId: true },
  });
  const number = await nextInvoiceNumber(tx, providerOrgId);
  const created = await tx.invoice.create({
    data: {
      number,
      kind: draft.kind,
      customerOrgId: subscription.app.orgId,
      providerOrgId,
      subscriptionId: subscription.id,
      periodStart: draft.period.start,
      periodEnd: draft.period.end,
      status: 'DRAFT',
      currency: draft.currency,
      subtotalMinor: draft.subtotalMinor,
      totalMinor: draft.totalMinor,
      billedVia: stripe ? 'stripe' : 'local',
      ...(draft.priced
        ? {
            pricedBillable: draft.priced.usage.billableRequests,
            pricedTokensIn: draft.priced.usage.tokensIn,
            pricedTokensOut: draft.priced.usage.tokensOut,
            pricedWith: pricedWithJson(draft.priced.with, draft.priced.usage.toolCalls),
          }
        : {}),
      lines: { create: draft.lines.map((line) => ({ ...line, subscriptionId: subscription.id })) },
    },
    select: { id: true },
  });
  const free = draft.totalMinor === 0n;
  const status: InvoiceStatus = free ? 'PAID' : 'FINALIZED';
  await tx.invoice.update({
    where: { id: created.id },
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
      targetId: created.id,
      after: {
        number,
        kind: draft.kind,
        subscriptionId: subscription.id,
        periodStart: draft.period.start.toISOString(),
        currency: draft.currency,
        totalMinor: draft.totalMinor.toString(),
        lateUsageLines: draft.lines.filter((line) => line.kind === 'late_usage').length,
        status,
      },
    },
  });
  return { id: created.id, number };
}

/**
 * Splits the late usage found into what this invoice charges (its currency, a non-zero amount), what is
 * recorded as settled without a charge (zero), and what waits (another currency: the plan's changed).
 */
function splitLateUsage(planned: PlannedLateUsage[], currency: string) {
  const charged = planned.filter((p) => p.charge.amountMinor !== 0n && p.charge.currency === currency);
  const free = planned.filter((p) => p.charge.amountMinor === 0n);
  const waiting = planned
    .filter((p) => p.charge.amountMinor !== 0n && p.charge.currency !== currency)
    .map(
      (p): LateUsageForReview => ({
        invoiceId: p.adjustedInvoiceId,
        number: p.adjustedNumber,
        periodStart: p.period.start,
        reason: `late usage priced in ${p.charge.currency} cannot go on an invoice in ${currency}`,
      }),
    );
  return { charged, free, waiting };
}

/**
 * One invoice for one period, in one transaction under the provider's numbering lock (null if it
 * exists), carrying the late usage of the subscription's earlier periods as dated lines.
 */
export async function issuePeriodInvoice(
  db: Db,
  subscription: BillableSubscription,
  period: Period,
  options: IssueOptions,
): Promise<IssueOutcome> {
  const priceWith = currentPricing(subscription);
  return inTransaction(db, async (tx) => {
    // Serialises numbering per provider; after it, a concurrent run's committed invoice is visible.
    await lockKey(tx, numberingLockKey(subscription.plan.api.orgId));
    const existing = await tx.invoice.findUnique({
      where: { subscriptionId_periodStart: { subscriptionId: subscription.id, periodStart: period.start } },
      select: { id: true },
    });
    if (existing) return { issued: null, review: [] };
    const usage = await periodUsage(tx, subscription.id, period.start, hourStart(period.end));
    const priced = priceSubscriptionPeriod({
      ...priceWith,
      period,
      subscriptionCreatedAt: subscription.createdAt,
      usage,
    });
    const late = await findLateUsage(tx, subscription, { now: options.now, currentPricing: priceWith });
    const { charged, free, waiting } = splitLateUsage(late.planned, priced.currency);
    const lateMinor = charged.reduce((sum, p) => sum + p.charge.amountMinor, 0n);
    const invoice = await writeInvoice(
      tx,
      subscription,
      {
        kind: 'period',
        period,
        currency: priced.currency,
        lines: [...priced.lines, ...charged.map((p) => p.charge.line)],
        subtotalMinor: priced.subtotalMinor + lateMinor,
        totalMinor: priced.totalMinor + lateMinor,
        priced: { usage, with: priceWith },
      },
      options,
    );
    await recordLateUsage(tx, subscription.id, charged, invoice.id);
    await recordLateUsage(tx, subscription.id, free, null);
    const totalMinor = priced.totalMinor + lateMinor;
    return {
      issued: { ...invoice, currency: priced.currency, totalMinor, lateUsage: charged },
      review: [...late.review, ...waiting],
    };
  });
}

/**
 * Late usage of a subscription that will never have another invoice (cancelled, every period invoiced)
 * goes on an invoice of its own, dated when it is issued (its period is that instant). Null when there
 * is nothing to charge.
 */
export async function issueLateUsageInvoice(
  db: Db,
  subscription: BillableSubscription,
  options: IssueOptions,
): Promise<IssueOutcome> {
  return inTransaction(db, async (tx) => {
    await lockKey(tx, numberingLockKey(subscription.plan.api.orgId));
    const late = await findLateUsage(tx, subscription, {
      now: options.now,
      currentPricing: currentPricing(subscription),
    });
    const currency = late.planned.find((p) => p.charge.amountMinor !== 0n)?.charge.currency ?? '';
    const { charged, free } = splitLateUsage(late.planned, currency);
    await recordLateUsage(tx, subscription.id, free, null);
    if (charged.length === 0) return { issued: null, review: late.review };
    const totalMinor = charged.reduce((sum, p) => sum + p.charge.amountMinor, 0n);
    const invoice = await writeInvoice(
      tx,
      subscription,
      {
        kind: 'late_usage',
        period: { start: options.now, end: options.now },
        currency,
        lines: charged.map((p) => p.charge.line),
        subtotalMinor: totalMinor,
        totalMinor,
      },
      options,
    );
    await recordLateUsage(tx, subscription.id, charged, invoice.id);
    return { issued: { ...invoice, currency, totalMinor, lateUsage: charged }, review: late.review };
  });
}
