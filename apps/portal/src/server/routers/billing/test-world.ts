import { hourStart } from '@portcullis/core/periods';
import { callerFor, consumerWithApp, db, providerWithPlan, seedUser } from '../../test/harness';

/** Worlds shared by the billing procedure and CSV route tests. */
const DAY = 86_400_000;
export const PER_UNIT = { model: 'per_unit', unitPrice: '0.002', flatFee: '2.00', currency: 'usd' } as const;

async function platformAdmin() {
  const user = await seedUser(db, 'operator');
  await db.user.update({ where: { id: user.id }, data: { isPlatformAdmin: true } });
  return { user, caller: callerFor(user.id) };
}

/**
 * A provider with per-unit pricing, a consumer subscribed 40 days ago with 1234 billable requests in
 * its first period (now closed by a platform admin): 2.00 + 1234 × 0.002 = 4.468 → 4.47.
 */
export async function invoicedWorld() {
  const provider = await providerWithPlan({ requiresApproval: false, monthlyQuota: 100_000 });
  await provider.caller.billing.setPlanPricing({
    orgSlug: provider.org.slug,
    planId: provider.plan.id,
    pricing: PER_UNIT,
  });
  const consumer = await consumerWithApp();
  const sub = await consumer.caller.subscription.create({
    orgSlug: consumer.org.slug,
    appId: consumer.app.id,
    planId: provider.plan.id,
  });
  const since = new Date(Date.now() - 40 * DAY);
  await db.subscription.update({
    where: { id: sub.id },
    data: { createdAt: since, currentPeriodStart: since, decidedAt: since },
  });
  await db.usageRollup.create({
    data: {
      subscriptionId: sub.id,
      bucketStart: hourStart(new Date(since.getTime() + 5 * DAY)),
      statusClass: 2,
      requests: 1300n,
      billable: 1234n,
    },
  });
  const admin = await platformAdmin();
  const summary = await admin.caller.billing.closePeriodsNow();
  const invoice = await db.invoice.findFirstOrThrow({ where: { subscriptionId: sub.id } });
  return { provider, consumer, sub, admin, summary, invoice };
}
