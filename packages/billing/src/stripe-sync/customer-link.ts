import type { Db, Tx } from '@portcullis/db';
import type Stripe from 'stripe';
import { ensureCustomer } from '../stripe/customers.ts';

export interface LinkedCustomer {
  stripeCustomerId: string;
  created: boolean;
}

/**
 * The consumer org's customer in the provider's Stripe account, created when missing (or gone from
 * Stripe) and recorded in StripeCustomer. A replaced customer starts over: no payment method, no
 * delinquency, no payment events seen. Safe to run concurrently: creation carries an idempotency key,
 * so racing callers get the same customer.
 */
export async function linkStripeCustomer(
  db: Db | Tx,
  stripe: Stripe,
  providerOrgId: string,
  customerOrgId: string,
): Promise<LinkedCustomer> {
  const [row, org, owner] = await Promise.all([
    db.stripeCustomer.findUnique({
      where: { providerOrgId_customerOrgId: { providerOrgId, customerOrgId } },
      select: { stripeCustomerId: true },
    }),
    db.organization.findUniqueOrThrow({ where: { id: customerOrgId }, select: { name: true } }),
    db.membership.findFirst({
      where: { orgId: customerOrgId, role: 'OWNER' },
      orderBy: { createdAt: 'asc' },
      select: { user: { select: { email: true } } },
    }),
  ]);
  const ensured = await ensureCustomer(stripe, {
    tenantOrgId: providerOrgId,
    consumerOrgId: customerOrgId,
    name: org.name,
    email: owner?.user.email ?? null,
    existingId: row?.stripeCustomerId ?? null,
  });
  if (row?.stripeCustomerId === ensured.customerId)
    return { stripeCustomerId: row.stripeCustomerId, created: false };
  // Guarded on the id, so a racing caller that read an older row cannot wipe what a webhook recorded.
  await db.stripeCustomer.createMany({
    data: [{ providerOrgId, customerOrgId, stripeCustomerId: ensured.customerId }],
    skipDuplicates: true,
  });
  await db.stripeCustomer.updateMany({
    where: { providerOrgId, customerOrgId, stripeCustomerId: { not: ensured.customerId } },
    data: {
      stripeCustomerId: ensured.customerId,
      hasPaymentMethod: false,
      delinquentSince: null,
      lastPaymentEventAt: null,
    },
  });
  return { stripeCustomerId: ensured.customerId, created: true };
}
