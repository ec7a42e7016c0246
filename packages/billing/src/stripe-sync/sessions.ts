import { badRequest, notFound } from '@portcullis/core/errors';
import type { SubscriptionStatus } from '@portcullis/db';
import type { OrgCtx } from '@portcullis/services/verbs/context';
import { z } from 'zod';
import { planPricingOf } from '../invoicing.ts';
import { asStripeError, describeStripeError } from '../stripe/errors.ts';
import { createCustomerPortalLink, createPaymentMethodSetupSession } from '../stripe/sessions.ts';
import { type StripeAccess, tenantStripeClient } from './credentials.ts';
import { linkStripeCustomer } from './customer-link.ts';

/** Subscriptions that make a consumer a (possible) Stripe customer of the provider. */
const BILLABLE_STATUSES: SubscriptionStatus[] = ['PENDING', 'ACTIVE', 'SUSPENDED'];

const ZReturnUrl = z
  .string({ error: 'Enter a URL' })
  .trim()
  .pipe(z.url({ protocol: /^https?$/, error: 'Enter an http:// or https:// URL' }));
const ZProviderOrgId = z.string().trim().min(1).max(64);

export const ZPaymentSetupLink = z.object({
  providerOrgId: ZProviderOrgId,
  successUrl: ZReturnUrl,
  cancelUrl: ZReturnUrl,
});
export const ZBillingPortalLink = z.object({ providerOrgId: ZProviderOrgId, returnUrl: ZReturnUrl });

/**
 * The provider's Stripe account and the consumer's customer in it. A consumer with no subscription to
 * the provider, or a provider without Stripe, get the same NOT_FOUND: neither can be probed.
 */
async function consumerCustomer(ctx: OrgCtx, providerOrgId: string, access: StripeAccess) {
  const [account, subscription] = await Promise.all([
    ctx.db.stripeAccount.findUnique({ where: { orgId: providerOrgId } }),
    ctx.db.subscription.findFirst({
      where: {
        app: { orgId: ctx.org.id },
        plan: { api: { orgId: providerOrgId } },
        status: { in: BILLABLE_STATUSES },
      },
      orderBy: { createdAt: 'asc' },
      select: { plan: { select: { pricing: true, priceMonthlyMinor: true, currency: true } } },
    }),
  ]);
  if (!account || !subscription) throw notFound('Stripe billing for this provider');
  const stripe = tenantStripeClient(account, access);
  const { stripeCustomerId } = await linkStripeCustomer(ctx.db, stripe, providerOrgId, ctx.org.id).catch(
    refusedByStripe,
  );
  return { stripe, stripeCustomerId, currency: planPricingOf(subscription.plan).currency };
}

/** Stripe's 4xx answers (e.g. the customer portal was never configured) are the user's to read. */
function refusedByStripe(error: unknown): never {
  const status = asStripeError(error)?.statusCode;
  if (status !== undefined && status >= 400 && status < 500 && status !== 429) {
    throw badRequest(`Stripe refused: ${describeStripeError(error)}`);
  }
  throw error;
}

/** Consumer side: a Stripe-hosted page to add a payment method for the provider's invoices. */
export async function paymentSetupLink(
  ctx: OrgCtx,
  input: z.input<typeof ZPaymentSetupLink>,
  access: StripeAccess,
): Promise<{ url: string }> {
  const { providerOrgId, successUrl, cancelUrl } = ZPaymentSetupLink.parse(input);
  const { stripe, stripeCustomerId, currency } = await consumerCustomer(ctx, providerOrgId, access);
  const session = await createPaymentMethodSetupSession(stripe, {
    customerId: stripeCustomerId,
    successUrl,
    cancelUrl,
    currency,
    metadata: { portcullis_provider_org_id: providerOrgId, portcullis_consumer_org_id: ctx.org.id },
  }).catch(refusedByStripe);
  return { url: session.url };
}

/** Consumer side: Stripe's customer portal (invoices, payment methods) for the provider's account. */
export async function billingPortalLink(
  ctx: OrgCtx,
  input: z.input<typeof ZBillingPortalLink>,
  access: StripeAccess,
): Promise<{ url: string }> {
  const { providerOrgId, returnUrl } = ZBillingPortalLink.parse(input);
  const { stripe, stripeCustomerId } = await consumerCustomer(ctx, providerOrgId, access);
  const session = await createCustomerPortalLink(stripe, { customerId: stripeCustomerId, returnUrl }).catch(
    refusedByStripe,
  );
  return { url: session.url };
}

export interface ConsumerStripeBilling {
  providerOrgId: string;
  providerName: string;
  hasPaymentMethod: boolean;
  delinquentSince: Date | null;
}

/** Consumer side: the providers that bill ctx.org through Stripe, and where it stands with each. */
export async function stripeBillingForConsumer(ctx: OrgCtx): Promise<ConsumerStripeBilling[]> {
  const providers = await ctx.db.organization.findMany({
    where: {
      stripeAccount: { isNot: null },
      apis: {
        some: {
          plans: {
            some: {
              subscriptions: { some: { app: { orgId: ctx.org.id }, status: { in: BILLABLE_STATUSES } } },
            },
          },
        },
      },
    },
    select: { id: true, name: true },
    orderBy: { name: 'asc' },
  });
  const customers = await ctx.db.stripeCustomer.findMany({
    where: { customerOrgId: ctx.org.id, providerOrgId: { in: providers.map((provider) => provider.id) } },
    select: { providerOrgId: true, hasPaymentMethod: true, delinquentSince: true },
  });
  return providers.map((provider) => {
    const customer = customers.find((row) => row.providerOrgId === provider.id);
    return {
      providerOrgId: provider.id,
      providerName: provider.name,
      hasPaymentMethod: customer?.hasPaymentMethod ?? false,
      delinquentSince: customer?.delinquentSince ?? null,
    };
  });
}
