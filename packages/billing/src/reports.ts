import { trialEndsAt } from '@portcullis/core/billing/invoice';
import { notFound } from '@portcullis/core/errors';
import { billingPeriod, hourStart } from '@portcullis/core/periods';
import type { Db, InvoiceStatus, Prisma, Role, SubscriptionStatus, Tx } from '@portcullis/db';
import { AWAITING_PAYMENT_METHOD } from '@portcullis/services/verbs/subscription';
import { type PeriodPreview, planPricingOf, projectSubscription, retiredAtOf } from './invoicing.ts';
import { toolCallsBySubscription } from './tool-calls.ts';

/**
 * Read models for the billing pages. Every query is scoped by org ids passed in by the caller (who
 * resolved them from the actor's memberships), amounts are bigint minor units next to their
 * currency, and sums never mix currencies. Formatting is the UI's job.
 */

type Reader = Db | Tx;
const DAY_MS = 86_400_000;
const OVERVIEW_STATUSES: SubscriptionStatus[] = ['PENDING', 'ACTIVE', 'SUSPENDED'];

export type MoneyByCurrency = Array<{ currency: string; amountMinor: bigint }>;

function addTo(totals: Map<string, bigint>, currency: string, amount: bigint) {
  totals.set(currency, (totals.get(currency) ?? 0n) + amount);
}
const totalsList = (totals: Map<string, bigint>): MoneyByCurrency =>
  [...totals]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, amountMinor]) => ({ currency, amountMinor }));

// Timestamps are stored as UTC `timestamp without time zone`: compare with UTC text, never a session zone.
const sqlTimestamp = (at: Date) => at.toISOString().slice(0, 23).replace('T', ' ');

// ───────────── consumer ─────────────

/**
 * Where a subscription stands for its consumer: its status, except that one whose API is retired is
 * "API_RETIRED" (the gateway refuses its calls, and nothing accrues after the retirement) and a PENDING
 * one says what it waits for.
 */
type ConsumerSubscriptionState =
  | 'ACTIVE'
  | 'SUSPENDED'
  | 'AWAITING_PAYMENT_METHOD'
  | 'AWAITING_APPROVAL'
  | 'API_RETIRED';

interface OverviewRow {
  subscriptionId: string;
  status: SubscriptionStatus;
  state: ConsumerSubscriptionState;
  /** Stripe's last refusal of the payment method, while it waits for one */
  paymentMethodError: string | null;
  retiredAt: Date | null;
  /** end of the plan's free trial, while it lasts */
  trialEndsAt: Date | null;
  app: { id: string; name: string };
  api: { id: string; name: string; slug: string; providerOrg: { id: string; slug: string; name: string } };
  plan: { id: string; name: string; monthlyQuota: number | null };
  period: { start: Date; end: Date };
  billableUsed: bigint;
  /** null when the plan's stored pricing cannot be read */
  projected: Pick<PeriodPreview, 'currency' | 'lines' | 'subtotalMinor' | 'totalMinor' | 'trial'> | null;
}

function stateOf(
  subscription: { status: SubscriptionStatus; pendingReason: string | null },
  retiredAt: Date | null,
): ConsumerSubscriptionState {
  if (retiredAt) return 'API_RETIRED';
  if (subscription.status === 'PENDING') {
    return subscription.pendingReason === AWAITING_PAYMENT_METHOD
      ? 'AWAITING_PAYMENT_METHOD'
      : 'AWAITING_APPROVAL';
  }
  return subscription.status === 'SUSPENDED' ? 'SUSPENDED' : 'ACTIVE';
}

/**
 * The consumer org's open subscriptions with this period's usage against quota and the upcoming
 * charge (usage so far extrapolated to the period's end). Pending ones are listed without a charge;
 * one whose API was retired is charged only for the period the retirement fell in, with the usage it
 * had (no extrapolation: the API takes no more calls), and nothing after it.
 */
export async function consumerOverview(db: Reader, input: { orgId: string; now: Date }) {
  const subscriptions = await db.subscription.findMany({
    where: { app: { orgId: input.orgId }, status: { in: OVERVIEW_STATUSES } },
    select: {
      id: true,
      status: true,
      pendingReason: true,
      paymentMethodError: true,
      createdAt: true,
      currentPeriodStart: true,
      app: { select: { id: true, name: true } },
      plan: {
        select: {
          id: true,
          name: true,
          pricing: true,
          priceMonthlyMinor: true,
          currency: true,
          monthlyQuota: true,
          api: {
            select: {
              id: true,
              name: true,
              slug: true,
              status: true,
              sunsetAt: true,
              org: { select: { id: true, slug: true, name: true } },
            },
          },
        },
      },
    },
    orderBy: { createdAt: 'asc' },
    take: 500,
  });
  const periods = new Map(subscriptions.map((s) => [s.id, billingPeriod(s.currentPeriodStart, input.now)]));
  const sums =
    subscriptions.length === 0
      ? []
      : await db.usageRollup.groupBy({
          by: ['subscriptionId'],
          where: {
            OR: subscriptions.map((s) => {
              const period = periods.get(s.id)!;
              return {
                subscriptionId: s.id,
                bucketStart: { gte: hourStart(period.start), lt: hourStart(period.end) },
              };
            }),
          },
          _sum: { billable: true, tokensIn: true, tokensOut: true },
        });
  const usage = new Map(sums.map((row) => [row.subscriptionId, row._sum]));
  const toolCalls = await toolCallsBySubscription(
    db,
    subscriptions.map((s) => {
      const period = periods.get(s.id)!;
      return { subscriptionId: s.id, from: hourStart(period.start), until: hourStart(period.end) };
    }),
  );
  const projectedTotals = new Map<string, bigint>();
  const rows: OverviewRow[] = subscriptions.map((s) => {
    const sum = usage.get(s.id);
    const usedSoFar = {
      billableRequests: sum?.billable ?? 0n,
      tokensIn: sum?.tokensIn ?? 0n,
      tokensOut: sum?.tokensOut ?? 0n,
      toolCalls: toolCalls.get(s.id) ?? {},
    };
    const retiredAt = retiredAtOf(s);
    const period = periods.get(s.id)!;
    // The period the retirement fell in is billed as it stands; later ones are not billed at all.
    const chargeable = s.status !== 'PENDING' && (!retiredAt || period.start < retiredAt);
    const projectAt = retiredAt ? new Date(period.end.getTime() - 1) : input.now;
    let projected: OverviewRow['projected'] = null;
    let trialEnd: Date | null = null;
    try {
      trialEnd = trialEndsAt(planPricingOf(s.plan), s.createdAt);
    } catch {
      trialEnd = null;
    }
    if (chargeable) {
      try {
        const preview = projectSubscription(s, usedSoFar, projectAt);
        projected = {
          currency: preview.currency,
          lines: preview.lines,
          subtotalMinor: preview.subtotalMinor,
          totalMinor: preview.totalMinor,
          trial: preview.trial,
        };
        addTo(projectedTotals, preview.currency, preview.totalMinor);
      } catch {
        projected = null;
      }
    }
    return {
      subscriptionId: s.id,
      status: s.status,
      state: stateOf(s, retiredAt),
      paymentMethodError: s.status === 'PENDING' ? s.paymentMethodError : null,
      retiredAt,
      trialEndsAt: trialEnd && trialEnd > input.now ? trialEnd : null,
      app: s.app,
      api: { id: s.plan.api.id, name: s.plan.api.name, slug: s.plan.api.slug, providerOrg: s.plan.api.org },
      plan: { id: s.plan.id, name: s.plan.name, monthlyQuota: s.plan.monthlyQuota },
      period: periods.get(s.id)!,
      billableUsed: usedSoFar.billableRequests,
      projected,
    };
  });
  return { subscriptions: rows, projectedTotals: totalsList(projectedTotals) };
}

// ───────────── invoices ─────────────

const invoiceSummarySelect = {
  id: true,
  number: true,
  status: true,
  currency: true,
  totalMinor: true,
  billedVia: true,
  periodStart: true,
  periodEnd: true,
  dueAt: true,
  paidAt: true,
  finalizedAt: true,
  customerOrg: { select: { slug: true, name: true } },
  providerOrg: { select: { slug: true, name: true } },
  subscription: { select: { plan: { select: { name: true, api: { select: { name: true } } } } } },
} satisfies Prisma.InvoiceSelect;

export type InvoiceSide = 'customer' | 'provider';

/** An org's invoices as the customer (never drafts) or as the provider, newest period first. */
export async function listInvoices(
  db: Reader,
  input: { orgId: string; side: InvoiceSide; status?: InvoiceStatus; page: number; pageSize: number },
) {
  const where: Prisma.InvoiceWhereInput =
    input.side === 'customer'
      ? { customerOrgId: input.orgId, status: input.status ?? { not: 'DRAFT' } }
      : { providerOrgId: input.orgId, ...(input.status ? { status: input.status } : {}) };
  if (input.side === 'customer' && input.status === 'DRAFT') return { rows: [], total: 0, ...pageOf(input) };
  const [rows, total] = await Promise.all([
    db.invoice.findMany({
      where,
      select: invoiceSummarySelect,
      orderBy: [{ periodStart: 'desc' }, { number: 'desc' }],
      skip: (input.page - 1) * input.pageSize,
      take: input.pageSize,
    }),
    db.invoice.count({ where }),
  ]);
  return { rows, total, ...pageOf(input) };
}
const pageOf = (input: { page: number; pageSize: number }) => ({
  page: input.page,
  pageSize: input.pageSize,
});

const LINE_ORDER = [
  'flat_fee',
  'usage',
  'tier',
  'overage',
  'tool_calls',
  'tokens_in',
  'tokens_out',
  'trial_credit',
];
const lineRank = (kind: string) => {
  const rank = LINE_ORDER.indexOf(kind);
  return rank === -1 ? LINE_ORDER.length : rank;
};

/**
 * One invoice with its lines, if it belongs to one of `customerOrgIds` (as customer; drafts are not
 * shown to customers) or `providerOrgIds` (as provider); NOT_FOUND otherwise, whether or not it exists.
 */
export async function getInvoiceDetail(
  db: Reader,
  input: { invoiceId: string; customerOrgIds: string[]; providerOrgIds: string[] },
) {
  const invoice = await db.invoice.findFirst({
    where: {
      id: input.invoiceId,
      OR: [
        { customerOrgId: { in: input.customerOrgIds }, status: { not: 'DRAFT' } },
        { providerOrgId: { in: input.providerOrgIds } },
      ],
    },
    select: {
      ...invoiceSummarySelect,
      customerOrgId: true,
      providerOrgId: true,
      subtotalMinor: true,
      createdAt: true,
      subscription: {
        select: {
          id: true,
          app: { select: { name: true } },
          plan: { select: { name: true, api: { select: { name: true, slug: true } } } },
        },
      },
      lines: {
        select: {
          id: true,
          kind: true,
          description: true,
          quantity: true,
          unitPrice: true,
          amountMinor: true,
        },
        orderBy: { id: 'asc' },
      },
    },
  });
  if (!invoice) throw notFound('Invoice');
  // Lines were written in pricing order in one statement; the kind rank keeps that order stable.
  const lines = [...invoice.lines].sort((a, b) => lineRank(a.kind) - lineRank(b.kind));
  return { ...invoice, lines, viewerIsProvider: input.providerOrgIds.includes(invoice.providerOrgId) };
}

/**
 * The invoice as the signed-in user may see it (for routes without an org in the path): as a member
 * with one of `customerRoles` of the customer org, or with one of `providerRoles` of the provider org.
 */
export async function findInvoiceForUser(
  db: Reader,
  input: { userId: string; invoiceId: string; customerRoles: Role[]; providerRoles: Role[] },
) {
  const memberships = await db.membership.findMany({
    where: { userId: input.userId },
    select: { orgId: true, role: true },
  });
  return getInvoiceDetail(db, {
    invoiceId: input.invoiceId,
    customerOrgIds: memberships.filter((m) => input.customerRoles.includes(m.role)).map((m) => m.orgId),
    providerOrgIds: memberships.filter((m) => input.providerRoles.includes(m.role)).map((m) => m.orgId),
  });
}

// ───────────── provider ─────────────

export interface RevenueRow {
  /** UTC month the invoice was issued: "2026-03" */
  month: string;
  apiId: string | null;
  apiName: string | null;
  planId: string | null;
  planName: string | null;
  currency: string;
  invoices: number;
  invoicedMinor: bigint;
  paidMinor: bigint;
}

/** Issued invoices of the provider grouped by issue month × API × plan × currency, newest month first. */
export async function providerRevenue(db: Reader, input: { orgId: string; since: Date }) {
  const raw = await db.$queryRaw<
    Array<Omit<RevenueRow, 'invoicedMinor' | 'paidMinor'> & { invoiced: string; paid: string }>
  >`
    SELECT to_char(date_trunc('month', coalesce(i."finalizedAt", i."createdAt")), 'YYYY-MM') AS month,
           a."id" AS "apiId", a."name" AS "apiName", p."id" AS "planId", p."name" AS "planName",
           i."currency" AS currency, count(*)::int AS invoices,
           sum(i."totalMinor")::text AS invoiced,
           sum(CASE WHEN i."status" = 'PAID' THEN i."totalMinor" ELSE 0 END)::text AS paid
    FROM "Invoice" i
    LEFT JOIN "Subscription" s ON s."id" = i."subscriptionId"
    LEFT JOIN "Plan" p ON p."id" = s."planId"
    LEFT JOIN "Api" a ON a."id" = p."apiId"
    WHERE i."providerOrgId" = ${input.orgId}
      AND i."status"::text IN ('FINALIZED', 'PAID')
      AND coalesce(i."finalizedAt", i."createdAt") >= ${sqlTimestamp(input.since)}::timestamp
    GROUP BY 1, 2, 3, 4, 5, 6
    ORDER BY 1 DESC, 3 NULLS LAST, 5 NULLS LAST, 6`;
  const invoiced = new Map<string, bigint>();
  const paid = new Map<string, bigint>();
  const rows: RevenueRow[] = raw.map(({ invoiced: i, paid: p, ...row }) => {
    const invoicedMinor = BigInt(i);
    const paidMinor = BigInt(p);
    addTo(invoiced, row.currency, invoicedMinor);
    addTo(paid, row.currency, paidMinor);
    return { ...row, invoicedMinor, paidMinor };
  });
  return { rows, invoicedTotals: totalsList(invoiced), paidTotals: totalsList(paid) };
}

export interface ConsumerRef {
  orgId: string;
  slug: string;
  name: string;
}

/** The provider's biggest customers over the last `days`: by invoiced revenue (per currency) and by requests. */
export async function topConsumers(
  db: Reader,
  input: { orgId: string; now: Date; days: number; limit: number },
) {
  const since = sqlTimestamp(new Date(input.now.getTime() - input.days * DAY_MS));
  const until = sqlTimestamp(input.now);
  const [revenue, requests] = await Promise.all([
    db.$queryRaw<Array<ConsumerRef & { currency: string; invoices: number; total: string }>>`
      SELECT ranked."orgId", ranked.slug, ranked.name, ranked.currency, ranked.invoices, ranked.total
      FROM (
        SELECT o."id" AS "orgId", o."slug" AS slug, o."name" AS name, i."currency" AS currency,
               count(*)::int AS invoices, sum(i."totalMinor")::text AS total,
               row_number() OVER (PARTITION BY i."currency" ORDER BY sum(i."totalMinor") DESC, o."slug") AS rank
        FROM "Invoice" i JOIN "Organization" o ON o."id" = i."customerOrgId"
        WHERE i."providerOrgId" = ${input.orgId}
          AND i."status"::text IN ('FINALIZED', 'PAID')
          AND coalesce(i."finalizedAt", i."createdAt") >= ${since}::timestamp
          AND coalesce(i."finalizedAt", i."createdAt") < ${until}::timestamp
        GROUP BY o."id", i."currency"
      ) ranked
      WHERE ranked.rank <= ${input.limit}
      ORDER BY ranked.currency, ranked.rank`,
    db.$queryRaw<Array<ConsumerRef & { requests: string; billable: string }>>`
      SELECT o."id" AS "orgId", o."slug" AS slug, o."name" AS name,
             sum(r."requests")::text AS requests, sum(r."billable")::text AS billable
      FROM "UsageRollup" r
      JOIN "Subscription" s ON s."id" = r."subscriptionId"
      JOIN "Plan" p ON p."id" = s."planId"
      JOIN "Api" a ON a."id" = p."apiId"
      JOIN "App" ap ON ap."id" = s."appId"
      JOIN "Organization" o ON o."id" = ap."orgId"
      WHERE a."orgId" = ${input.orgId}
        AND r."bucketStart" >= ${since}::timestamp AND r."bucketStart" < ${until}::timestamp
      GROUP BY o."id"
      ORDER BY sum(r."requests") DESC, o."slug"
      LIMIT ${input.limit}`,
  ]);
  return {
    byRevenue: revenue.map(({ total, ...row }) => ({ ...row, totalMinor: BigInt(total) })),
    byRequests: requests.map((row) => ({
      orgId: row.orgId,
      slug: row.slug,
      name: row.name,
      requests: BigInt(row.requests),
      billable: BigInt(row.billable),
    })),
  };
}

/** Issued, unpaid invoices of the provider, oldest due first, with totals per currency. */
export async function unpaidInvoices(db: Reader, input: { orgId: string; now: Date }) {
  const rows = await db.invoice.findMany({
    where: { providerOrgId: input.orgId, status: 'FINALIZED' },
    select: invoiceSummarySelect,
    orderBy: [{ dueAt: 'asc' }, { number: 'asc' }],
    take: 500,
  });
  const totals = new Map<string, bigint>();
  for (const row of rows) addTo(totals, row.currency, row.totalMinor);
  return {
    rows: rows.map((row) => ({
      ...row,
      overdue: row.dueAt !== null && row.dueAt.getTime() < input.now.getTime(),
    })),
    totals: totalsList(totals),
  };
}
