import { type PlanPricingInput, ZPlanPricing } from '@portcullis/core/billing/pricing';
import { getDb, type Prisma } from '@portcullis/db';
import { seedOrg, seedUser, uniq } from '../../../test/fixtures.ts';

/** Seeds for the billing integration tests: providers with one priced plan, consumers, usage. */

export const db = getDb();
// Each world is deleted after its test, so a run only ever sees the subscriptions of the test at hand
// (other files' subscriptions are created "now", years after these periods).
const orgsToDelete: string[] = [];

/** Deletes the orgs made since the last call (consumers first: that frees the providers' plans). */
export async function deleteWorlds() {
  const consumers = orgsToDelete.filter((id) => id.startsWith('c:')).map((id) => id.slice(2));
  const providers = orgsToDelete.filter((id) => id.startsWith('p:')).map((id) => id.slice(2));
  await db.organization.deleteMany({ where: { id: { in: consumers } } });
  await db.organization.deleteMany({ where: { id: { in: providers } } });
  orgsToDelete.length = 0;
}

export async function provider(
  opts: {
    pricing?: PlanPricingInput | Prisma.InputJsonValue;
    monthlyQuota?: number | null;
    legacyPriceMinor?: number;
    raw?: boolean;
  } = {},
) {
  const owner = await seedUser(db, 'prov');
  const org = await seedOrg(db, owner.id, 'OWNER', 'prov');
  orgsToDelete.push(`p:${org.id}`);
  const api = await db.api.create({
    data: {
      orgId: org.id,
      slug: uniq('maps'),
      name: 'Maps',
      upstreamUrl: 'http://127.0.0.1:9/',
      status: 'PUBLISHED',
    },
  });
  // A legacy plan keeps the column default ({"model":"free"}) next to its priceMonthlyMinor.
  const pricing = opts.raw || opts.legacyPriceMinor ? opts.pricing : ZPlanPricing.parse(opts.pricing ?? {});
  const plan = await db.plan.create({
    data: {
      apiId: api.id,
      name: 'Metered',
      monthlyQuota: opts.monthlyQuota === undefined ? null : opts.monthlyQuota,
      ...(pricing === undefined ? {} : { pricing: pricing as Prisma.InputJsonValue }),
      ...(opts.legacyPriceMinor ? { priceMonthlyMinor: opts.legacyPriceMinor, currency: 'eur' } : {}),
    },
  });
  return { owner, org, api, plan };
}

export async function consumer() {
  const user = await seedUser(db, 'cons');
  const org = await seedOrg(db, user.id, 'OWNER', 'cons');
  orgsToDelete.push(`c:${org.id}`);
  const app = await db.app.create({ data: { orgId: org.id, name: uniq('app') } });
  return { user, org, app };
}

export async function subscription(
  appId: string,
  planId: string,
  since: Date,
  data: Partial<Prisma.SubscriptionUncheckedCreateInput> = {},
) {
  return db.subscription.create({
    data: {
      appId,
      planId,
      status: 'ACTIVE',
      createdAt: since,
      currentPeriodStart: since,
      decidedAt: since,
      ...data,
    },
  });
}

export async function usage(
  subscriptionId: string,
  bucketStart: Date,
  billable: number,
  tokens = { in: 0, out: 0 },
) {
  await db.usageRollup.create({
    data: {
      subscriptionId,
      bucketStart,
      statusClass: 2,
      requests: BigInt(billable),
      billable: BigInt(billable),
      tokensIn: BigInt(tokens.in),
      tokensOut: BigInt(tokens.out),
    },
  });
}

/** Billable calls of one MCP tool in one hour (also to be counted in that hour's `usage`). */
export async function toolUsage(subscriptionId: string, bucketStart: Date, tool: string, billable: number) {
  await db.toolCallRollup.create({
    data: { subscriptionId, bucketStart, tool, calls: BigInt(billable + 1), billable: BigInt(billable) },
  });
}
