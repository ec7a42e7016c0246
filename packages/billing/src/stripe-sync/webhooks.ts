import type { Db, Tx } from '@portcullis/db';
import { lockKey } from '@portcullis/services/verbs/context';
import type Stripe from 'stripe';
import { setCustomerDefaultPaymentMethod } from '../stripe/customers.ts';
import { describeStripeError, isRetryableStripeError } from '../stripe/errors.ts';
import {
  type InterpretedStripeEvent,
  interpretStripeEvent,
  isNewerPaymentEvent,
  verifyStripeWebhook,
} from '../stripe/webhooks.ts';
import { activateAfterPaymentMethod, notePaymentMethodRefused } from './checkout.ts';
import { openStripeSecret, type StripeAccess, tenantStripeClient } from './credentials.ts';
import { resumeAfterPayment } from './suspension.ts';

export interface StripeWebhookInput extends StripeAccess {
  /** from the URL: /api/stripe/webhook/{orgId} */
  orgId: string;
  /** the exact bytes received; a re-serialised body no longer matches the signature */
  rawBody: string;
  /** the Stripe-Signature header */
  signature: string | null | undefined;
  now: Date;
}

export interface StripeWebhookResult {
  /**
   * 200 handled (or a duplicate), 400 refused (signature, timestamp, body), 404 no Stripe connection for
   * this org, 500 the stored secret cannot be read (operator's key changed), 503 Stripe was unreachable
   * for a step that must happen before the event is recorded: Stripe delivers it again later.
   */
  status: 200 | 400 | 404 | 500 | 503;
  body: Record<string, unknown>;
}

type Payment = Extract<InterpretedStripeEvent, { kind: 'payment_failed' | 'payment_succeeded' }>;

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Applies one webhook delivery. Every delivery is verified with the org's own signing secret. The
 * StripeEvent insert (ON CONFLICT DO NOTHING) and the changes it causes commit together, so an event is
 * applied exactly once however often Stripe delivers it, and never half. Payment events are ordered by
 * their `created` time per customer (isNewerPaymentEvent), so late deliveries of older events change
 * nothing.
 */
export async function handleStripeWebhook(db: Db, input: StripeWebhookInput): Promise<StripeWebhookResult> {
  if (!ID.test(input.orgId)) return { status: 404, body: { error: 'not_found' } };
  const account = await db.stripeAccount.findUnique({ where: { orgId: input.orgId } });
  if (!account) return { status: 404, body: { error: 'not_found' } };

  let stripe: Stripe;
  let webhookSecret: string;
  try {
    webhookSecret = openStripeSecret(
      account.orgId,
      'webhookSecret',
      account.webhookSecretEnc,
      input.encryptionKey,
    );
    stripe = tenantStripeClient(account, input);
  } catch {
    return { status: 500, body: { error: 'stripe_credentials_unreadable' } };
  }
  const verified = verifyStripeWebhook(stripe, input.rawBody, input.signature, webhookSecret, {
    now: input.now,
  });
  if (!verified.ok) return { status: 400, body: { error: verified.reason, message: verified.message } };

  const event = interpretStripeEvent(verified.event);
  if (event.kind !== 'ignored' && event.livemode !== account.livemode) {
    return record(db, account.orgId, event, () => Promise.resolve({ applied: false, reason: 'other mode' }));
  }

  // Making the card the default is a Stripe call: it happens before the event is recorded, so a failure
  // Stripe may get over leaves the event unrecorded and Stripe's redelivery tries again (setting a
  // default is idempotent). A refusal is final: the event is recorded with it.
  let defaultPaymentMethod: string | undefined;
  if (event.kind === 'payment_method_attached' && event.paymentMethodId) {
    const seen = await db.stripeEvent.findUnique({ where: { id: event.eventId }, select: { id: true } });
    const customer = seen
      ? null
      : await db.stripeCustomer.findUnique({
          where: {
            providerOrgId_stripeCustomerId: {
              providerOrgId: account.orgId,
              stripeCustomerId: event.customerId,
            },
          },
          select: { id: true },
        });
    if (customer) {
      try {
        await setCustomerDefaultPaymentMethod(stripe, {
          customerId: event.customerId,
          paymentMethodId: event.paymentMethodId,
        });
        defaultPaymentMethod = 'set';
      } catch (error) {
        const reason = describeStripeError(error);
        if (isRetryableStripeError(error)) {
          return { status: 503, body: { error: 'stripe_unavailable', message: reason } };
        }
        defaultPaymentMethod = `refused: ${reason}`;
      }
    }
  }

  return record(db, account.orgId, event, async (tx) => ({
    ...(await apply(tx, account.orgId, event)),
    ...(defaultPaymentMethod ? { defaultPaymentMethod } : {}),
  }));
}

async function record(
  db: Db,
  orgId: string,
  event: InterpretedStripeEvent,
  applyEvent: (tx: Tx) => Promise<Record<string, unknown>>,
): Promise<StripeWebhookResult> {
  return db.$transaction(async (tx) => {
    const inserted = await tx.$executeRaw`
      INSERT INTO "StripeEvent" (id, "orgId", type, created, "receivedAt")
      VALUES (${event.eventId}, ${orgId}, ${event.type}, ${event.occurredAt}::timestamp(3), now())
      ON CONFLICT (id) DO NOTHING`;
    if (inserted === 0) return { status: 200, body: { received: true, duplicate: true } };
    const outcome = await applyEvent(tx);
    return { status: 200, body: { received: true, kind: event.kind, ...outcome } };
  });
}

async function apply(
  tx: Tx,
  providerOrgId: string,
  event: InterpretedStripeEvent,
): Promise<Record<string, unknown>> {
  if (event.kind === 'ignored') return { applied: false, reason: event.reason };
  if (event.kind === 'subscription_updated') return { applied: false, reason: 'not used for access' };
  const customer = await tx.stripeCustomer.findUnique({
    where: { providerOrgId_stripeCustomerId: { providerOrgId, stripeCustomerId: event.customerId } },
  });
  if (!customer) return { applied: false, reason: 'unknown customer' };
  const scope = { providerOrgId, customerOrgId: customer.customerOrgId };
  if (event.kind === 'payment_method_attached') {
    await tx.stripeCustomer.update({ where: { id: customer.id }, data: { hasPaymentMethod: true } });
    const moved = await activateAfterPaymentMethod(tx, scope, {
      stripeEventId: event.eventId,
      ...(event.checkoutSessionId ? { checkoutSessionId: event.checkoutSessionId } : {}),
      ...(event.setupIntentId ? { setupIntentId: event.setupIntentId } : {}),
    });
    return {
      applied: true,
      activatedSubscriptions: moved.activated.length,
      awaitingApproval: moved.awaitingApproval.length,
    };
  }
  if (event.kind === 'payment_method_refused') {
    return { applied: true, waitingSubscriptions: await notePaymentMethodRefused(tx, scope, event.message) };
  }
  return applyPayment(tx, providerOrgId, customer.id, event);
}

async function applyPayment(
  tx: Tx,
  providerOrgId: string,
  customerRowId: string,
  event: Payment,
): Promise<Record<string, unknown>> {
  // Concurrent deliveries for one customer are compared and applied one at a time.
  await lockKey(tx, `stripe-customer:${customerRowId}`);
  const customer = await tx.stripeCustomer.findUniqueOrThrow({ where: { id: customerRowId } });
  const lastApplied = customer.lastPaymentEventAt
    ? {
        occurredAt: customer.lastPaymentEventAt,
        // The state a payment event leaves behind tells which kind was applied last.
        kind: customer.delinquentSince ? 'payment_failed' : 'payment_succeeded',
      }
    : null;
  const newer = isNewerPaymentEvent(event, lastApplied);
  const paidInvoices =
    event.kind === 'payment_succeeded'
      ? await markInvoicesPaid(tx, { providerOrgId, customerOrgId: customer.customerOrgId }, event, newer)
      : 0;
  if (!newer) return { applied: false, reason: 'older than the payment state applied', paidInvoices };

  if (event.kind === 'payment_failed') {
    await tx.stripeCustomer.update({
      where: { id: customer.id },
      // Grace runs from the first failure: later retries failing do not extend it.
      data: {
        delinquentSince: customer.delinquentSince ?? event.occurredAt,
        lastPaymentEventAt: event.occurredAt,
      },
    });
    return { applied: true };
  }
  await tx.stripeCustomer.update({
    where: { id: customer.id },
    data: { delinquentSince: null, lastPaymentEventAt: event.occurredAt },
  });
  const resumed = await resumeAfterPayment(
    tx,
    { providerOrgId, customerOrgId: customer.customerOrgId },
    null,
    { stripeEventId: event.eventId, stripeInvoiceId: event.stripeInvoiceId },
  );
  return { applied: true, resumedSubscriptions: resumed.length, paidInvoices };
}

/**
 * The local copies of Stripe-collected invoices of the paid subscription become PAID: the one carrying
 * this Stripe invoice id always (a paid invoice stays paid, whatever arrives later), and ones not tied
 * to a Stripe invoice only when this is the newest payment news.
 */
async function markInvoicesPaid(
  tx: Tx,
  parties: { providerOrgId: string; customerOrgId: string },
  event: Payment,
  newest: boolean,
): Promise<number> {
  const bySubscription =
    newest && event.subscriptionId
      ? [{ stripeInvoiceId: null, subscription: { stripeSubscriptionId: event.subscriptionId } }]
      : [];
  const { count } = await tx.invoice.updateMany({
    where: {
      ...parties,
      billedVia: 'stripe',
      status: 'FINALIZED',
      OR: [{ stripeInvoiceId: event.stripeInvoiceId }, ...bySubscription],
    },
    data: { status: 'PAID', paidAt: event.occurredAt },
  });
  return count;
}
