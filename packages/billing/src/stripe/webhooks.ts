import type Stripe from 'stripe';
import { asStripeError } from './errors.ts';

const STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300;

type StripeWebhookRefusal =
  | 'missing_signature'
  | 'bad_signature'
  | 'timestamp_out_of_tolerance'
  | 'malformed';

export type StripeWebhookVerification =
  | { ok: true; event: Stripe.Event; signedAt: Date }
  | { ok: false; reason: StripeWebhookRefusal; message: string };

export interface VerifyStripeWebhookOptions {
  toleranceSeconds?: number;
  now?: Date;
}

/**
 * Checks a webhook delivery: the Stripe-Signature HMAC over the exact raw body with the endpoint's
 * signing secret, then the signed timestamp within ±tolerance of now. stripe-node's constructEvent
 * refuses only timestamps that are too old and accepts any in the future, so the window is enforced
 * here in both directions (a captured delivery cannot be replayed later, nor a forged clock used).
 */
export function verifyStripeWebhook(
  stripe: Stripe,
  rawBody: string | Buffer,
  signatureHeader: string | undefined | null,
  secret: string,
  options: VerifyStripeWebhookOptions = {},
): StripeWebhookVerification {
  const tolerance = options.toleranceSeconds ?? STRIPE_WEBHOOK_TOLERANCE_SECONDS;
  if (!(tolerance > 0)) throw new Error('toleranceSeconds must be positive');
  if (!signatureHeader?.trim()) return refuse('missing_signature', 'no Stripe-Signature header');
  if ((typeof rawBody === 'string' ? rawBody.length : rawBody.byteLength) === 0) {
    return refuse('malformed', 'empty body');
  }
  const signedAt = signedTimestamp(signatureHeader);
  if (signedAt === null)
    return refuse('malformed', 'Stripe-Signature header lacks a t= timestamp or a v1= signature');

  let parsed: unknown;
  try {
    // The library's own age check is disabled (huge tolerance): the window is checked below, both ways.
    parsed = stripe.webhooks.constructEvent(rawBody, signatureHeader, secret, Number.MAX_SAFE_INTEGER);
  } catch (error) {
    if (asStripeError(error)?.type === 'StripeSignatureVerificationError') {
      return refuse('bad_signature', 'signature does not match the body and the signing secret');
    }
    return refuse('malformed', 'body is not JSON');
  }

  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(nowSeconds - signedAt) > tolerance) {
    return refuse(
      'timestamp_out_of_tolerance',
      `signed at ${signedAt}, now ${nowSeconds}, tolerance ±${tolerance} s`,
    );
  }
  if (!isEventShape(parsed)) return refuse('malformed', 'body is not a Stripe event');
  return { ok: true, event: parsed, signedAt: new Date(signedAt * 1000) };
}

function refuse(reason: StripeWebhookRefusal, message: string): StripeWebhookVerification {
  return { ok: false, reason, message };
}

function signedTimestamp(header: string): number | null {
  let timestamp: number | null = null;
  let hasSignature = false;
  for (const item of header.split(',')) {
    const [key, value] = item.trim().split('=', 2);
    if (key === 't' && timestamp === null && value && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (key === 'v1' && value) hasSignature = true;
  }
  return hasSignature ? timestamp : null;
}

type Loose = Record<string, unknown>;

function isLoose(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEventShape(value: unknown): value is Stripe.Event {
  return (
    isLoose(value) &&
    typeof value.id === 'string' &&
    typeof value.type === 'string' &&
    typeof value.created === 'number' &&
    isLoose(value.data) &&
    isLoose(value.data.object)
  );
}

interface EventBase {
  eventId: string;
  type: string;
  /** event.created: the order Stripe saw things happen in (deliveries can arrive in any order) */
  occurredAt: Date;
  livemode: boolean;
}

export type InterpretedStripeEvent =
  | (EventBase & {
      kind: 'payment_failed';
      customerId: string;
      stripeInvoiceId: string;
      subscriptionId: string | null;
      attemptCount: number;
      /** when Stripe retries the charge; null once it has given up */
      nextPaymentAttemptAt: Date | null;
      amountDueMinor: bigint;
      currency: string;
    })
  | (EventBase & {
      kind: 'payment_succeeded';
      customerId: string;
      stripeInvoiceId: string;
      subscriptionId: string | null;
      amountPaidMinor: bigint;
      currency: string;
    })
  | (EventBase & {
      kind: 'payment_method_attached';
      customerId: string;
      setupIntentId: string | null;
      checkoutSessionId: string | null;
      /** known from setup_intent.succeeded; checkout.session.completed carries only the setup intent */
      paymentMethodId: string | null;
    })
  | (EventBase & {
      kind: 'payment_method_refused';
      customerId: string;
      setupIntentId: string | null;
      /** Stripe's words for the consumer, e.g. "Your card was declined." */
      message: string;
    })
  | (EventBase & {
      kind: 'subscription_updated';
      customerId: string;
      subscriptionId: string;
      status: string;
      cancelAtPeriodEnd: boolean;
      deleted: boolean;
    })
  | (EventBase & { kind: 'ignored'; reason: string });

function idOf(value: unknown): string | null {
  if (typeof value === 'string' && value) return value;
  return isLoose(value) && typeof value.id === 'string' ? value.id : null;
}

function minor(value: unknown): bigint {
  return typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : 0n;
}

/** Since the 2025 API versions the subscription sits under parent.subscription_details; before, on the invoice. */
function invoiceSubscription(invoice: Loose): string | null {
  const parent = isLoose(invoice.parent) ? invoice.parent : null;
  const details = parent && isLoose(parent.subscription_details) ? parent.subscription_details : null;
  return idOf(details?.subscription) ?? idOf(invoice.subscription);
}

/**
 * Reduces a verified event to what billing acts on. Payloads follow the API version of the tenant's
 * webhook endpoint, not the client's, so fields are read defensively. invoice.paid and
 * invoice.payment_succeeded both arrive for one payment and both map to payment_succeeded: apply by
 * invoice id and occurredAt, deduplicating deliveries by eventId.
 */
export function interpretStripeEvent(event: Stripe.Event): InterpretedStripeEvent {
  const base: EventBase = {
    eventId: event.id,
    type: event.type,
    occurredAt: new Date(event.created * 1000),
    livemode: event.livemode,
  };
  const object = event.data.object as unknown as Loose;
  const customerId = idOf(object.customer);
  const ignored = (reason: string): InterpretedStripeEvent => ({ ...base, kind: 'ignored', reason });

  switch (event.type) {
    case 'invoice.payment_failed':
    case 'invoice.paid':
    case 'invoice.payment_succeeded': {
      const invoiceId = idOf(object.id);
      if (!customerId || !invoiceId) return ignored('invoice without customer or id');
      const common = {
        customerId,
        stripeInvoiceId: invoiceId,
        subscriptionId: invoiceSubscription(object),
        currency: typeof object.currency === 'string' ? object.currency : '',
      };
      if (event.type !== 'invoice.payment_failed') {
        return { ...base, ...common, kind: 'payment_succeeded', amountPaidMinor: minor(object.amount_paid) };
      }
      const next = object.next_payment_attempt;
      return {
        ...base,
        ...common,
        kind: 'payment_failed',
        attemptCount: typeof object.attempt_count === 'number' ? object.attempt_count : 0,
        nextPaymentAttemptAt: typeof next === 'number' ? new Date(next * 1000) : null,
        amountDueMinor: minor(object.amount_due),
      };
    }
    case 'checkout.session.completed': {
      if (object.mode !== 'setup')
        return ignored(`checkout mode ${String(object.mode)} is not used for billing`);
      if (!customerId) return ignored('setup session without customer');
      return {
        ...base,
        kind: 'payment_method_attached',
        customerId,
        setupIntentId: idOf(object.setup_intent),
        checkoutSessionId: idOf(object.id),
        paymentMethodId: null,
      };
    }
    case 'setup_intent.succeeded': {
      if (!customerId) return ignored('setup intent without customer');
      return {
        ...base,
        kind: 'payment_method_attached',
        customerId,
        setupIntentId: idOf(object.id),
        checkoutSessionId: null,
        paymentMethodId: idOf(object.payment_method),
      };
    }
    case 'setup_intent.setup_failed': {
      if (!customerId) return ignored('setup intent without customer');
      const error = isLoose(object.last_setup_error) ? object.last_setup_error : null;
      const message =
        typeof error?.message === 'string' && error.message.trim()
          ? error.message.trim()
          : 'Stripe could not set up this payment method.';
      return {
        ...base,
        kind: 'payment_method_refused',
        customerId,
        setupIntentId: idOf(object.id),
        message,
      };
    }
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted': {
      const subscriptionId = idOf(object.id);
      if (!customerId || !subscriptionId) return ignored('subscription without customer or id');
      const deleted = event.type === 'customer.subscription.deleted';
      return {
        ...base,
        kind: 'subscription_updated',
        customerId,
        subscriptionId,
        status: deleted ? 'canceled' : String(object.status),
        cancelAtPeriodEnd: object.cancel_at_period_end === true,
        deleted,
      };
    }
    default:
      return ignored(`event type ${event.type} is not used for billing`);
  }
}

/**
 * Whether a payment event should replace the payment state last applied for the same customer.
 * Later events win; within the same second (Stripe's resolution) a success beats a failure, because an
 * invoice once paid stays paid. Events that lose are still recorded as seen, just not applied.
 */
export function isNewerPaymentEvent(
  incoming: { occurredAt: Date; kind: string },
  lastApplied: { occurredAt: Date; kind: string } | null,
): boolean {
  if (!lastApplied) return true;
  const delta = incoming.occurredAt.getTime() - lastApplied.occurredAt.getTime();
  if (delta !== 0) return delta > 0;
  return incoming.kind === 'payment_succeeded' && lastApplied.kind === 'payment_failed';
}
