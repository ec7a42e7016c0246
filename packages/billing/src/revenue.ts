import { toMinor } from '@portcullis/core/billing/currency';
import { Decimal } from '@portcullis/core/billing/decimal';
import { trialEndsAt } from '@portcullis/core/billing/invoice';
import type { PlanPricing } from '@portcullis/core/billing/pricing';
import { billingPeriod } from '@portcullis/core/periods';
import type { Db, Tx } from '@portcullis/db';
import { planPricingOf } from './invoice-issue.ts';

/**
 * The provider's revenue view: recurring revenue from the subscriptions running now, paid subscriptions
 * billed month by month, and issued revenue by API and by plan from invoice lines. Amounts are bigint
 * minor units next to their currency; different currencies are never added together.
 */

type Reader = Db | Tx;

/** First instant (UTC) of the month `monthsBack` months before the one `now` is in. */
const monthStart = (now: Date, monthsBack: number) =>
  new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsBack, 1));
const monthKey = (at: Date) => at.toISOString().slice(0, 7);

/**
 * The fee a plan charges every period whatever the usage (flat, per-unit and included-overage plans'
 * flatFee); 0 for free and graduated plans, whose charges all depend on usage.
 */
function recurringFeeMinor(pricing: PlanPricing): bigint {
  if (pricing.model === 'free' || pricing.model === 'graduated') return 0n;
  return toMinor(Decimal.parse(pricing.flatFee), pricing.currency);
}

interface MrrPart {
  currency: string;
  amountMinor: bigint;
  subscriptions: number;
}

/**
 * Monthly recurring revenue: the recurring fees of the provider's ACTIVE subscriptions whose current
 * period is billed (not in a trial), per currency and per API × plan.
 */
export async function providerMrr(db: Reader, input: { orgId: string; now: Date }) {
  const subscriptions = await db.subscription.findMany({
    where: { status: 'ACTIVE', plan: { api: { orgId: input.orgId } } },
    select: {
      createdAt: true,
      currentPeriodStart: true,
      plan: {
        select: {
          id: true,
          name: true,
          pricing: true,
          priceMonthlyMinor: true,
          currency: true,
          api: { select: { id: true, name: true } },
        },
      },
    },
  });
  const totals = new Map<string, MrrPart>();
  const byPlan = new Map<
    string,
    MrrPart & { api: { id: string; name: string }; plan: { id: string; name: string } }
  >();
  let inTrial = 0;
  for (const s of subscriptions) {
    const pricing = planPricingOf(s.plan);
    const fee = recurringFeeMinor(pricing);
    if (fee === 0n) continue;
    const trialEnd = trialEndsAt(pricing, s.createdAt);
    if (trialEnd && billingPeriod(s.currentPeriodStart, input.now).start.getTime() < trialEnd.getTime()) {
      inTrial++;
      continue;
    }
    const total = totals.get(pricing.currency) ?? {
      currency: pricing.currency,
      amountMinor: 0n,
      subscriptions: 0,
    };
    total.amountMinor += fee;
    total.subscriptions++;
    totals.set(pricing.currency, total);
    const key = `${s.plan.id}|${pricing.currency}`;
    const part = byPlan.get(key) ?? {
      currency: pricing.currency,
      amountMinor: 0n,
      subscriptions: 0,
      api: s.plan.api,
      plan: { id: s.plan.id, name: s.plan.name },
    };
    part.amountMinor += fee;
    part.subscriptions++;
    byPlan.set(key, part);
  }
  const byAmount = <T extends MrrPart>(a: T, b: T) =>
    a.currency.localeCompare(b.currency) ||
    (b.amountMinor > a.amountMinor ? 1 : b.amountMinor < a.amountMinor ? -1 : 0);
  return {
    totals: [...totals.values()].sort(byAmount),
    byPlan: [...byPlan.values()].sort(byAmount),
    /** paid subscriptions not counted because their current period is a free trial */
    inTrial,
  };
}

/**
 * Per month (of the billing period's start) over the last `months`: how many distinct subscriptions were
 * billed a non-zero period invoice, and the amount issued, per currency. Months without any are listed
 * with zero, so the chart's axis is continuous.
 */
export async function paidSubscriptionsByMonth(
  db: Reader,
  input: { orgId: string; now: Date; months: number },
) {
  const since = monthStart(input.now, input.months - 1);
  const rows = await db.$queryRaw<
    Array<{ month: string; currency: string; subscriptions: number; amount: string }>
  >`
    SELECT to_char(date_trunc('month', i."periodStart"), 'YYYY-MM') AS month, i."currency" AS currency,
           count(DISTINCT i."subscriptionId")::int AS subscriptions, sum(i."totalMinor")::text AS amount
    FROM "Invoice" i
    WHERE i."providerOrgId" = ${input.orgId}
      AND i."status"::text IN ('FINALIZED', 'PAID')
      AND i."kind" = 'period'
      AND i."totalMinor" > 0
      AND i."periodStart" >= ${since.toISOString().slice(0, 23).replace('T', ' ')}::timestamp
    GROUP BY 1, 2
    ORDER BY 1, 2`;
  const months = Array.from({ length: input.months }, (_, i) =>
    monthKey(monthStart(input.now, input.months - 1 - i)),
  );
  const currencies = [...new Set(rows.map((r) => r.currency))].sort();
  return {
    months,
    currencies: currencies.map((currency) => ({
      currency,
      points: months.map((month) => {
        const row = rows.find((r) => r.month === month && r.currency === currency);
        return { month, subscriptions: row?.subscriptions ?? 0, amountMinor: BigInt(row?.amount ?? '0') };
      }),
    })),
  };
}

/**
 * Issued revenue (finalized and paid invoices, by the month they were issued) from their lines, summed
 * by API and by plan over the last `months`. A line belongs to its own subscription, else its invoice's;
 * lines whose subscription is gone are grouped as `null`. Groups that came to nothing (free plans) are left out.
 */
export async function revenueBreakdown(db: Reader, input: { orgId: string; now: Date; months: number }) {
  const since = monthStart(input.now, input.months - 1)
    .toISOString()
    .slice(0, 23)
    .replace('T', ' ');
  const rows = await db.$queryRaw<
    Array<{
      apiId: string | null;
      apiName: string | null;
      planId: string | null;
      planName: string | null;
      currency: string;
      amount: string;
    }>
  >`
    SELECT a."id" AS "apiId", a."name" AS "apiName", p."id" AS "planId", p."name" AS "planName",
           i."currency" AS currency, sum(l."amountMinor")::text AS amount
    FROM "InvoiceLine" l
    JOIN "Invoice" i ON i."id" = l."invoiceId"
    LEFT JOIN "Subscription" s ON s."id" = coalesce(l."subscriptionId", i."subscriptionId")
    LEFT JOIN "Plan" p ON p."id" = s."planId"
    LEFT JOIN "Api" a ON a."id" = p."apiId"
    WHERE i."providerOrgId" = ${input.orgId}
      AND i."status"::text IN ('FINALIZED', 'PAID')
      AND coalesce(i."finalizedAt", i."createdAt") >= ${since}::timestamp
    GROUP BY 1, 2, 3, 4, 5
    HAVING sum(l."amountMinor") <> 0`;
  const byApi = new Map<
    string,
    { apiId: string | null; apiName: string | null; currency: string; amountMinor: bigint }
  >();
  const byPlan = rows.map((r) => ({
    apiId: r.apiId,
    apiName: r.apiName,
    planId: r.planId,
    planName: r.planName,
    currency: r.currency,
    amountMinor: BigInt(r.amount),
  }));
  for (const row of byPlan) {
    const key = `${row.apiId}|${row.currency}`;
    const entry = byApi.get(key) ?? {
      apiId: row.apiId,
      apiName: row.apiName,
      currency: row.currency,
      amountMinor: 0n,
    };
    entry.amountMinor += row.amountMinor;
    byApi.set(key, entry);
  }
  const order = <T extends { currency: string; amountMinor: bigint }>(a: T, b: T) =>
    a.currency.localeCompare(b.currency) ||
    (b.amountMinor > a.amountMinor ? 1 : b.amountMinor < a.amountMinor ? -1 : 0);
  return { byApi: [...byApi.values()].sort(order), byPlan: byPlan.sort(order) };
}
