import type { Db, StripeAccount } from '@portcullis/db';
import type Stripe from 'stripe';
import { planPricingOf } from '../invoicing.ts';
import { ensurePlanCatalog, planPricingHash } from '../stripe/catalog.ts';
import { endSubscriptionAtPeriodEnd, ensureSubscription } from '../stripe/customers.ts';
import { describeStripeError } from '../stripe/errors.ts';
import { readStripeToolPrices } from '../stripe/tool-catalog.ts';
import { type StripeAccess, tenantStripeClient } from './credentials.ts';
import { linkStripeCustomer } from './customer-link.ts';
import { emptyMeterSummary, type MeterSyncSummary, queueMeterPushes, sendMeterPushes } from './meter-push.ts';
import { planCatalogMapping, planMeterEventName } from './plan-pricing.ts';

const DAY_MS = 86_400_000;

export interface SyncStripeOptions extends StripeAccess {
  now: Date;
  /** only this provider org (a "sync now" button, tests); every connected org otherwise */
  orgId?: string;
  /** re-check every linked subscription in Stripe, not only unlinked ones and ones whose plan changed */
  reconcileAll?: boolean;
  /** how far back usage buckets are compared with what was pushed (default 34 days, Stripe's limit) */
  usageLookbackMs?: number;
  /** meter events sent per provider per run */
  maxMeterEventsPerRun?: number;
}

interface StripeSyncError {
  orgId: string;
  step: 'credentials' | 'catalog' | 'subscription' | 'end' | 'usage';
  /** the plan or subscription concerned */
  subject?: string;
  message: string;
}

export interface StripeSyncSummary {
  accounts: number;
  /** plans whose Stripe product/meter/prices were (re)checked because their pricing changed or is new */
  catalogsEnsured: number;
  skippedPlans: Array<{ planId: string; reason: string }>;
  customersCreated: number;
  stripeSubscriptionsCreated: number;
  /** Portcullis subscriptions given (or re-confirmed with) a Stripe subscription id */
  subscriptionsLinked: number;
  /** Stripe subscriptions told not to renew: every Portcullis subscription on them was cancelled or its API retired */
  stripeSubscriptionsEnded: number;
  meter: MeterSyncSummary;
  errors: StripeSyncError[];
}

interface PlanCatalogState {
  priceIds: string[];
  trialDays: number;
  syncedAt: Date;
}

function message(error: unknown): string {
  return describeStripeError(error);
}

/** Product, meter and prices per plan that has ACTIVE subscriptions; Stripe is called only on change. */
async function syncCatalogs(
  db: Db,
  stripe: Stripe,
  orgId: string,
  summary: StripeSyncSummary,
): Promise<Map<string, PlanCatalogState>> {
  const plans = await db.plan.findMany({
    where: { api: { orgId }, subscriptions: { some: { status: 'ACTIVE' } } },
    select: {
      id: true,
      name: true,
      pricing: true,
      priceMonthlyMinor: true,
      currency: true,
      api: { select: { name: true } },
      stripePrice: true,
    },
    orderBy: { id: 'asc' },
  });
  const catalogs = new Map<string, PlanCatalogState>();
  for (const plan of plans) {
    try {
      const mapping = planCatalogMapping({
        tenantOrgId: orgId,
        planId: plan.id,
        planName: `${plan.api.name} · ${plan.name}`,
        pricing: planPricingOf(plan),
      });
      if (mapping.kind === 'skip') {
        summary.skippedPlans.push({ planId: plan.id, reason: mapping.reason });
        continue;
      }
      const hash = planPricingHash(mapping.input);
      let row = plan.stripePrice;
      if (row?.pricingHash !== hash) {
        const existing = row ? { ...row, toolPrices: readStripeToolPrices(row.toolPrices) } : undefined;
        const catalog = await ensurePlanCatalog(stripe, { ...mapping.input, existing });
        summary.catalogsEnsured += 1;
        const fields = {
          productId: catalog.productId,
          meterId: catalog.meterId,
          meterEventName: catalog.meterEventName ?? planMeterEventName(plan.id),
          flatPriceId: catalog.flatPriceId,
          usagePriceId: catalog.usagePriceId,
          toolPrices: catalog.toolPrices,
          pricingHash: catalog.pricingHash,
        };
        row = await db.stripePlanPrice.upsert({
          where: { planId: plan.id },
          create: { planId: plan.id, ...fields },
          update: fields,
        });
      }
      const toolPriceIds = Object.values(readStripeToolPrices(row.toolPrices)).map((tool) => tool.priceId);
      catalogs.set(plan.id, {
        priceIds: [row.flatPriceId, row.usagePriceId, ...toolPriceIds].filter(
          (id): id is string => id !== null,
        ),
        trialDays: mapping.trialDays,
        syncedAt: row.updatedAt,
      });
    } catch (error) {
      summary.errors.push({ orgId, step: 'catalog', subject: plan.id, message: message(error) });
    }
  }
  return catalogs;
}

/** Days of the Portcullis trial still left: a Stripe subscription made late must not restart it. */
function trialDaysLeft(trialDays: number, createdAt: Date, now: Date): number {
  if (trialDays <= 0) return 0;
  const left = createdAt.getTime() + trialDays * DAY_MS - now.getTime();
  return left > 0 ? Math.ceil(left / DAY_MS) : 0;
}

/**
 * The Stripe subscription the consumer org last had on the plan (through apps since cancelled, say). A
 * new group reuses it, resuming it if it was told to end: one Stripe subscription per consumer org and
 * plan, and a fresh creation never replays the idempotency key of the first one.
 */
async function lastStripeSubscriptionOf(
  db: Db,
  consumerOrgId: string,
  planId: string,
): Promise<string | null> {
  const last = await db.subscription.findFirst({
    where: { planId, app: { orgId: consumerOrgId }, stripeSubscriptionId: { not: null } },
    orderBy: { updatedAt: 'desc' },
    select: { stripeSubscriptionId: true },
  });
  return last?.stripeSubscriptionId ?? null;
}

/**
 * One Stripe subscription per consumer org and plan. A consumer org's apps subscribed to the same plan
 * share it, because Stripe sums a meter per customer: two subscriptions on one meter would each bill the
 * whole sum. Only groups that are unlinked, or whose plan catalog changed since they were linked, are
 * sent to Stripe (unless reconcileAll).
 */
async function syncSubscriptions(
  db: Db,
  stripe: Stripe,
  orgId: string,
  catalogs: Map<string, PlanCatalogState>,
  options: SyncStripeOptions,
  summary: StripeSyncSummary,
): Promise<void> {
  if (catalogs.size === 0) return;
  const subscriptions = await db.subscription.findMany({
    // A retired API's subscriptions accrue nothing more: they get no Stripe subscription.
    where: {
      status: 'ACTIVE',
      planId: { in: [...catalogs.keys()] },
      plan: { api: { status: { not: 'RETIRED' } } },
    },
    select: {
      id: true,
      planId: true,
      stripeSubscriptionId: true,
      createdAt: true,
      updatedAt: true,
      app: { select: { orgId: true } },
    },
    orderBy: { createdAt: 'asc' },
  });
  const groups = new Map<string, typeof subscriptions>();
  for (const subscription of subscriptions) {
    const key = `${subscription.app.orgId}\u0000${subscription.planId}`;
    groups.set(key, [...(groups.get(key) ?? []), subscription]);
  }
  const customers = new Map<string, string>();
  for (const members of groups.values()) {
    const first = members[0]!;
    const catalog = catalogs.get(first.planId)!;
    const linkedIds = new Set(members.map((member) => member.stripeSubscriptionId));
    const stale =
      options.reconcileAll ||
      linkedIds.has(null) ||
      linkedIds.size > 1 ||
      members.some((member) => member.updatedAt < catalog.syncedAt);
    if (!stale) continue;
    try {
      const customerOrgId = first.app.orgId;
      let customerId = customers.get(customerOrgId);
      if (!customerId) {
        const linked = await linkStripeCustomer(db, stripe, orgId, customerOrgId);
        if (linked.created) summary.customersCreated += 1;
        customerId = linked.stripeCustomerId;
        customers.set(customerOrgId, customerId);
      }
      const ensured = await ensureSubscription(stripe, {
        customerId,
        priceIds: catalog.priceIds,
        trialDays: trialDaysLeft(catalog.trialDays, first.createdAt, options.now),
        existingId:
          members.find((member) => member.stripeSubscriptionId)?.stripeSubscriptionId ??
          (await lastStripeSubscriptionOf(db, customerOrgId, first.planId)),
        memberIds: members.map((member) => member.id),
        metadata: {
          portcullis_provider_org_id: orgId,
          portcullis_consumer_org_id: customerOrgId,
          portcullis_plan_id: first.planId,
        },
      });
      if (ensured.created) summary.stripeSubscriptionsCreated += 1;
      // Written even when unchanged: the bumped updatedAt is what marks the group as in step.
      const { count } = await db.subscription.updateMany({
        where: { id: { in: members.map((member) => member.id) } },
        data: { stripeSubscriptionId: ensured.subscriptionId },
      });
      summary.subscriptionsLinked += count;
    } catch (error) {
      summary.errors.push({ orgId, step: 'subscription', subject: first.id, message: message(error) });
    }
  }
}

/**
 * A cancelled subscription, or one whose API was retired, must stop being charged in Stripe too: its
 * Stripe subscription is told not to renew (the period already paid for runs out, and usage metered
 * until then is still invoiced). A Stripe subscription shared with a consumer org's other apps that are
 * still active on the plan keeps running. Each one is ended once: `stripeEndedAt` records it.
 */
export async function endStripeSubscriptions(
  db: Db,
  stripe: Stripe,
  orgId: string,
  now: Date,
  summary: StripeSyncSummary,
): Promise<void> {
  const ended = await db.subscription.findMany({
    where: {
      plan: { api: { orgId } },
      stripeSubscriptionId: { not: null },
      stripeEndedAt: null,
      OR: [{ status: 'CANCELLED' }, { plan: { api: { status: 'RETIRED' } } }],
    },
    select: { id: true, stripeSubscriptionId: true, planId: true, app: { select: { orgId: true } } },
    orderBy: { id: 'asc' },
  });
  const byStripeId = new Map<string, { memberIds: string[]; planId: string; consumerOrgId: string }>();
  for (const row of ended) {
    const id = row.stripeSubscriptionId!;
    const group = byStripeId.get(id) ?? { memberIds: [], planId: row.planId, consumerOrgId: row.app.orgId };
    group.memberIds.push(row.id);
    byStripeId.set(id, group);
  }
  for (const [stripeSubscriptionId, { memberIds, planId, consumerOrgId }] of byStripeId) {
    try {
      // Still billed: a subscription on it that has not ended, or an active one of the same org and plan
      // not linked yet (a sync running beside this one may be linking it to this very subscription).
      const stillBilled = await db.subscription.count({
        where: {
          plan: { api: { status: { not: 'RETIRED' } } },
          OR: [
            { stripeSubscriptionId, status: { not: 'CANCELLED' } },
            { stripeSubscriptionId: null, status: 'ACTIVE', planId, app: { orgId: consumerOrgId } },
          ],
        },
      });
      if (stillBilled === 0 && (await endSubscriptionAtPeriodEnd(stripe, stripeSubscriptionId, memberIds))) {
        summary.stripeSubscriptionsEnded += 1;
      }
      await db.subscription.updateMany({ where: { id: { in: memberIds } }, data: { stripeEndedAt: now } });
    } catch (error) {
      summary.errors.push({ orgId, step: 'end', subject: memberIds[0], message: message(error) });
    }
  }
}

async function syncAccount(
  db: Db,
  account: StripeAccount,
  options: SyncStripeOptions,
  summary: StripeSyncSummary,
): Promise<void> {
  const orgId = account.orgId;
  let stripe: Stripe;
  try {
    stripe = tenantStripeClient(account, options);
  } catch (error) {
    summary.errors.push({ orgId, step: 'credentials', message: message(error) });
    return;
  }
  try {
    const catalogs = await syncCatalogs(db, stripe, orgId, summary);
    await syncSubscriptions(db, stripe, orgId, catalogs, options, summary);
  } catch (error) {
    summary.errors.push({ orgId, step: 'subscription', message: message(error) });
  }
  try {
    await endStripeSubscriptions(db, stripe, orgId, options.now, summary);
  } catch (error) {
    summary.errors.push({ orgId, step: 'end', message: message(error) });
  }
  // Usage of subscriptions linked earlier is pushed even when this run's catalog step failed.
  try {
    await queueMeterPushes(
      db,
      {
        providerOrgId: orgId,
        connectedAt: account.connectedAt,
        now: options.now,
        ...(options.usageLookbackMs !== undefined ? { lookbackMs: options.usageLookbackMs } : {}),
      },
      summary.meter,
    );
    await sendMeterPushes(
      db,
      stripe,
      {
        providerOrgId: orgId,
        now: options.now,
        ...(options.maxMeterEventsPerRun !== undefined ? { limit: options.maxMeterEventsPerRun } : {}),
      },
      summary.meter,
    );
  } catch (error) {
    summary.errors.push({ orgId, step: 'usage', message: message(error) });
  }
}

/**
 * Brings every connected provider's Stripe account in step with Postgres: catalog, customers,
 * subscriptions, then usage. Idempotent and crash-safe at every point: Stripe creations carry
 * deterministic idempotency keys, and usage goes through the StripeMeterPush ledger (meter-push.ts),
 * so a run killed anywhere and run again never counts a request twice. One provider's failure is
 * reported in `errors` and does not stop the others.
 */
export async function syncStripe(db: Db, options: SyncStripeOptions): Promise<StripeSyncSummary> {
  const accounts = await db.stripeAccount.findMany({
    where: options.orgId ? { orgId: options.orgId } : {},
    orderBy: { orgId: 'asc' },
  });
  const summary: StripeSyncSummary = {
    accounts: accounts.length,
    catalogsEnsured: 0,
    skippedPlans: [],
    customersCreated: 0,
    stripeSubscriptionsCreated: 0,
    subscriptionsLinked: 0,
    stripeSubscriptionsEnded: 0,
    meter: emptyMeterSummary(),
    errors: [],
  };
  for (const account of accounts) await syncAccount(db, account, options, summary);
  return summary;
}
