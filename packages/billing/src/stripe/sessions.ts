import type Stripe from 'stripe';

export interface PaymentMethodSetupSessionInput {
  customerId: string;
  successUrl: string;
  cancelUrl: string;
  /** decides which payment methods Checkout offers (Stripe requires it in setup mode) */
  currency: string;
  metadata?: Record<string, string>;
}

export interface HostedSession {
  sessionId: string;
  /** where to send the user's browser */
  url: string;
}

/**
 * A Stripe-hosted Checkout page in setup mode: the consumer enters a payment method and nothing is
 * charged. On completion Stripe sends checkout.session.completed and setup_intent.succeeded; the payment
 * method is attached to the customer but becomes the default only through setCustomerDefaultPaymentMethod.
 */
export async function createPaymentMethodSetupSession(
  stripe: Stripe,
  input: PaymentMethodSetupSessionInput,
): Promise<HostedSession> {
  const session = await stripe.checkout.sessions.create({
    mode: 'setup',
    customer: input.customerId,
    currency: input.currency.toLowerCase(),
    success_url: input.successUrl,
    cancel_url: input.cancelUrl,
    // On the SetupIntent too, so its own events (setup_intent.*) say what they were for.
    ...(input.metadata ? { metadata: input.metadata, setup_intent_data: { metadata: input.metadata } } : {}),
  });
  if (!session.url) throw new Error(`Stripe returned Checkout Session ${session.id} without a URL`);
  return { sessionId: session.id, url: session.url };
}

export interface CustomerPortalLinkInput {
  customerId: string;
  returnUrl: string;
  /** a bpc_… portal configuration; without it the account's default must have been saved in the Dashboard */
  configurationId?: string;
}

/** A short-lived link to Stripe's customer portal (invoices, payment methods). Create one per click. */
export async function createCustomerPortalLink(
  stripe: Stripe,
  input: CustomerPortalLinkInput,
): Promise<HostedSession> {
  const session = await stripe.billingPortal.sessions.create({
    customer: input.customerId,
    return_url: input.returnUrl,
    ...(input.configurationId ? { configuration: input.configurationId } : {}),
  });
  return { sessionId: session.id, url: session.url };
}
