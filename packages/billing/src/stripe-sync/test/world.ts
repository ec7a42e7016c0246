import { randomBytes } from 'node:crypto';
import type { PlanPricingInput } from '@portcullis/core/billing/pricing';
import { type EncryptionKey, parseEncryptionKey } from '@portcullis/core/crypto';
import { hourStart } from '@portcullis/core/periods';
import { createDb, type Db, requireDatabaseUrl } from '@portcullis/db';
import { CONFIG_CHANNEL, type ConfigChange } from '@portcullis/db/notify';
import pg from 'pg';
import { type FakeStripe, startFakeStripe } from '../../../../../test/fakes/stripe/server.ts';
import { seedConsumerWithKey, seedProviderWithApi, uniq } from '../../../../../test/fixtures.ts';
import { connectStripe } from '../connect.ts';
import { planMeterEventName } from '../plan-pricing.ts';
import { type SyncStripeOptions, syncStripe } from '../sync.ts';

/** Shared set-up of the stripe-sync integration tests: real Postgres, the local fake Stripe. */
export const HOUR = 3_600_000;
export const encryptionKey: EncryptionKey = parseEncryptionKey(randomBytes(32).toString('base64'));

let db: Db | undefined;
export function testDb(): Db {
  db ??= createDb(requireDatabaseUrl(), 4);
  return db;
}

export const stripeKey = (label = 'tenant') =>
  `sk_test_${label.replace(/[^A-Za-z0-9]/g, '')}${randomBytes(12).toString('hex')}`;
export const webhookSecretFor = () => `whsec_${randomBytes(16).toString('base64url')}`;

const PER_UNIT_PRICING: PlanPricingInput = {
  model: 'per_unit',
  currency: 'usd',
  flatFee: '10.00',
  unitPrice: '0.002',
};

/** A provider with an API, a priced plan and a connected Stripe account on its own fake account. */
export async function connectedProvider(
  fake: FakeStripe,
  options: { pricing?: PlanPricingInput; graceDays?: number; secretKey?: string } = {},
) {
  const database = testDb();
  const provider = await seedProviderWithApi(database, { upstreamUrl: 'http://127.0.0.1:9/' });
  await database.plan.update({
    where: { id: provider.plan.id },
    data: { pricing: (options.pricing ?? PER_UNIT_PRICING) as object },
  });
  const secretKey = options.secretKey ?? stripeKey();
  fake.state.addAccount(secretKey);
  const webhookSecret = webhookSecretFor();
  const connection = await connectStripe(
    { db: database, actor: { id: provider.owner.id }, org: { id: provider.org.id } },
    { secretKey, webhookSecret, graceDays: options.graceDays ?? 3 },
    encryptionKey,
    { apiBase: fake.url },
  );
  // Usage in the past hours counts: the account is treated as connected a day ago.
  await database.stripeAccount.update({
    where: { orgId: provider.org.id },
    data: { connectedAt: new Date(Date.now() - 24 * HOUR) },
  });
  return { ...provider, secretKey, webhookSecret, connection };
}

export async function consumerOf(planId: string, status: 'ACTIVE' | 'PENDING' | 'SUSPENDED' = 'ACTIVE') {
  return seedConsumerWithKey(testDb(), planId, status);
}

/** Adds billable requests to a subscription's hourly rollup, as the metering worker does. */
export async function addUsage(
  subscriptionId: string,
  at: Date,
  billable: number | bigint,
  statusClass = 2,
): Promise<void> {
  const bucket = hourStart(at);
  await testDb().$executeRaw`
    INSERT INTO "UsageRollup" (id, "subscriptionId", "bucketStart", "statusClass", requests, billable, "updatedAt")
    VALUES (${uniq('r')}, ${subscriptionId}, ${bucket}::timestamp(3), ${statusClass}, ${BigInt(billable)},
      ${BigInt(billable)}, now())
    ON CONFLICT ("subscriptionId", "bucketStart", "statusClass") DO UPDATE SET
      requests = "UsageRollup".requests + excluded.requests,
      billable = "UsageRollup".billable + excluded.billable,
      "updatedAt" = now()`;
}

/** Adds billable calls of an MCP tool to a subscription's hourly tool rollup (they are requests too). */
export async function addToolUsage(
  subscriptionId: string,
  at: Date,
  tool: string,
  billable: number,
): Promise<void> {
  await testDb().$executeRaw`
    INSERT INTO "ToolCallRollup" (id, "subscriptionId", "bucketStart", tool, calls, billable, "updatedAt")
    VALUES (${uniq('t')}, ${subscriptionId}, ${hourStart(at)}::timestamp(3), ${tool}, ${BigInt(billable)},
      ${BigInt(billable)}, now())
    ON CONFLICT ("subscriptionId", "bucketStart", tool) DO UPDATE SET
      calls = "ToolCallRollup".calls + excluded.calls,
      billable = "ToolCallRollup".billable + excluded.billable,
      "updatedAt" = now()`;
}

export async function billableTotal(subscriptionId: string): Promise<bigint> {
  const sum = await testDb().usageRollup.aggregate({ where: { subscriptionId }, _sum: { billable: true } });
  return sum._sum.billable ?? 0n;
}

export async function stripeCustomerId(providerOrgId: string, customerOrgId: string): Promise<string> {
  const row = await testDb().stripeCustomer.findUniqueOrThrow({
    where: { providerOrgId_customerOrgId: { providerOrgId, customerOrgId } },
  });
  return row.stripeCustomerId;
}

/** Listens on the gateways' config channel. */
export async function listenConfig() {
  const client = new pg.Client({ connectionString: requireDatabaseUrl() });
  await client.connect();
  const seen: ConfigChange[] = [];
  client.on('notification', (msg) => {
    if (msg.channel === CONFIG_CHANNEL && msg.payload) seen.push(JSON.parse(msg.payload) as ConfigChange);
  });
  await client.query(`LISTEN ${CONFIG_CHANNEL}`);
  return {
    seen,
    /** waits until `id` was announced as a subscription change, or fails after the timeout */
    async subscription(id: string, timeoutMs = 3000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!seen.some((change) => change.kind === 'subscription' && change.id === id)) {
        if (Date.now() > deadline)
          throw new Error(`no NOTIFY for subscription ${id}: ${JSON.stringify(seen)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: () => client.end(),
  };
}

/** One provider's sync against the fake, as the worker would run it. */
export function syncOrg(
  fake: FakeStripe,
  orgId: string,
  now = new Date(),
  extra: Partial<SyncStripeOptions> = {},
) {
  return syncStripe(testDb(), { now, encryptionKey, apiBase: fake.url, orgId, ...extra });
}

/** A connected provider with one ACTIVE consumer, synced once, and what Stripe's meter holds for it. */
export async function linkedConsumer(fake: FakeStripe) {
  const world = await connectedProvider(fake);
  const consumer = await consumerOf(world.plan.id);
  const first = await syncOrg(fake, world.org.id);
  if (first.errors.length > 0) throw new Error(`sync failed: ${JSON.stringify(first.errors)}`);
  const customerId = await stripeCustomerId(world.org.id, consumer.org.id);
  const eventName = planMeterEventName(world.plan.id);
  const stripeTotal = () => fake.state.meterTotal(eventName, customerId);
  return { ...world, consumer, first, customerId, eventName, stripeTotal };
}

export { type FakeStripe, startFakeStripe };
