import type Stripe from 'stripe';
import { isResourceMissing } from './errors.ts';
import { stripeIdempotencyKey } from './idempotency.ts';

export interface EnsureCustomerInput {
  /** the provider org whose Stripe account this is */
  tenantOrgId: string;
  /** the consumer org the customer stands for */
  consumerOrgId: string;
  name: string;
  email?: string | null;
  /** customer id recorded earlier */
  existingId?: string | null;
}

export interface EnsuredCustomer {
  customerId: string;
  /** true when this call created it (the previous one was missing or deleted) */
  created: boolean;
}

/** One Stripe customer per consumer org in each tenant's account; name and email kept current. */
export async function ensureCustomer(stripe: Stripe, input: EnsureCustomerInput): Promise<EnsuredCustomer> {
  const email = input.email ?? undefined;
  if (input.existingId) {
    const customer = await retrieveCustomer(stripe, input.existingId);
    if (customer) {
      if (customer.name !== input.name || (email !== undefined && customer.email !== email)) {
        await stripe.customers.update(customer.id, {
          name: input.name,
          ...(email !== undefined ? { email } : {}),
        });
      }
      return { customerId: customer.id, created: false };
    }
  }
  const params: Stripe.CustomerCreateParams = {
    name: input.name,
    ...(email !== undefined ? { email } : {}),
    metadata: {
      portcullis_tenant_org_id: input.tenantOrgId,
      portcullis_consumer_org_id: input.consumerOrgId,
    },
  };
  // The replaced id is part of the key: a replay must not hand back the customer that just proved gone.
  const key = stripeIdempotencyKey(['customer', input.tenantOrgId, input.consumerOrgId], {
    params,
    replaces: input.existingId ?? null,
  });
  const created = await stripe.customers.create(params, { idempotencyKey: key });
  return { customerId: created.id, created: true };
}

async function retrieveCustomer(stripe: Stripe, id: string): Promise<Stripe.Customer | null> {
  try {
    const customer = await stripe.customers.retrieve(id);
    return customer.deleted ? null : customer;
  } catch (error) {
    if (isResourceMissing(error)) return null;
    throw error;
  }
}

/** Makes a payment method collected through a setup session the one invoices are charged to. */
export async function setCustomerDefaultPaymentMethod(
  stripe: Stripe,
  input: { customerId: string; paymentMethodId: string },
): Promise<void> {
  await stripe.customers.update(input.customerId, {
    invoice_settings: { default_payment_method: input.paymentMethodId },
  });
}

export interface EnsureSubscriptionInput {
  customerId: string;
  /** one item per price: licensed prices get quantity 1, metered prices bill what the meter summed */
  priceIds: readonly string[];
  trialDays?: number;
  metadata?: Record<string, string>;
  /**
   * subscription id recorded earlier: the group's own, or the one the consumer org last had on this plan
   * (which may have been told to end, and is then resumed rather than doubled)
   */
  existingId?: string | null;
  /** the Portcullis subscriptions asking, so a resume is told apart from an earlier one */
  memberIds?: readonly string[];
}

export interface EnsuredSubscription {
  subscriptionId: string;
  status: Stripe.Subscription.Status;
  created: boolean;
  /** subscription item id per price id */
  itemIds: Record<string, string>;
}

/** Statuses from which a Stripe subscription never becomes billable again. */
const ENDED: ReadonlySet<Stripe.Subscription.Status> = new Set(['canceled', 'incomplete_expired']);

/**
 * Ensures the customer has a subscription on exactly these prices: reuses a live existing one (adding
 * and removing items without proration when the plan's prices changed), otherwise creates one.
 */
export async function ensureSubscription(
  stripe: Stripe,
  input: EnsureSubscriptionInput,
): Promise<EnsuredSubscription> {
  const wanted = [...new Set(input.priceIds)];
  if (wanted.length === 0) throw new Error('a subscription needs at least one price');
  const metadata = input.metadata ?? {};

  if (input.existingId) {
    const current = await retrieveSubscription(stripe, input.existingId);
    if (current && !ENDED.has(current.status) && customerOf(current) === input.customerId) {
      // One told to end at its period's end is resumed: a second subscription on the same customer
      // meter would bill the overlap twice, and the ending one would stop billing at its period's end.
      const live = current.cancel_at_period_end
        ? await stripe.subscriptions.update(
            current.id,
            { cancel_at_period_end: false },
            {
              idempotencyKey: stripeIdempotencyKey(['subscription-resume', current.id], {
                members: [...(input.memberIds ?? [])].sort(),
              }),
            },
          )
        : current;
      return reconcileItems(stripe, live, wanted, metadata);
    }
  }

  const trialDays = input.trialDays ?? 0;
  const params: Stripe.SubscriptionCreateParams = {
    customer: input.customerId,
    items: wanted.map((price) => ({ price })),
    metadata,
    ...(trialDays > 0 ? { trial_period_days: trialDays } : {}),
  };
  const key = stripeIdempotencyKey(['subscription', input.customerId], {
    params,
    replaces: input.existingId ?? null,
  });
  const created = await stripe.subscriptions.create(params, { idempotencyKey: key });
  return describe(created, true);
}

/**
 * Lets a subscription run to the end of the period already paid for and not renew: the fixed fee of
 * that period stays charged, and usage metered until then is on its final invoice. A subscription
 * Stripe no longer has, or that has already ended, counts as done.
 */
export async function endSubscriptionAtPeriodEnd(
  stripe: Stripe,
  id: string,
  /** the Portcullis subscriptions whose end this is: a subscription resumed and ended again is a new request */
  endedMemberIds: readonly string[],
): Promise<boolean> {
  const current = await retrieveSubscription(stripe, id);
  if (!current || ENDED.has(current.status) || current.cancel_at_period_end) return false;
  await stripe.subscriptions.update(
    id,
    { cancel_at_period_end: true },
    {
      idempotencyKey: stripeIdempotencyKey(['subscription-end', id], {
        members: [...endedMemberIds].sort(),
      }),
    },
  );
  return true;
}

async function retrieveSubscription(stripe: Stripe, id: string): Promise<Stripe.Subscription | null> {
  try {
    return await stripe.subscriptions.retrieve(id);
  } catch (error) {
    if (isResourceMissing(error)) return null;
    throw error;
  }
}

function customerOf(subscription: Stripe.Subscription): string {
  return typeof subscription.customer === 'string' ? subscription.customer : subscription.customer.id;
}

function priceOf(item: Stripe.SubscriptionItem): string {
  return item.price.id;
}

async function reconcileItems(
  stripe: Stripe,
  current: Stripe.Subscription,
  wanted: string[],
  metadata: Record<string, string>,
): Promise<EnsuredSubscription> {
  const have = current.items.data;
  const removals = have.filter((item) => !wanted.includes(priceOf(item)));
  const additions = wanted.filter((price) => !have.some((item) => priceOf(item) === price));
  const metadataDiffers = Object.entries(metadata).some(([key, value]) => current.metadata[key] !== value);
  if (removals.length === 0 && additions.length === 0 && !metadataDiffers) return describe(current, false);
  const updated = await stripe.subscriptions.update(current.id, {
    ...(removals.length || additions.length
      ? {
          items: [
            ...removals.map((item) => ({ id: item.id, deleted: true })),
            ...additions.map((price) => ({ price })),
          ],
          // Plan changes take effect from the next period; mid-period credits are the portal's business.
          proration_behavior: 'none' as const,
        }
      : {}),
    metadata,
  });
  return describe(updated, false);
}

function describe(subscription: Stripe.Subscription, created: boolean): EnsuredSubscription {
  return {
    subscriptionId: subscription.id,
    status: subscription.status,
    created,
    itemIds: Object.fromEntries(subscription.items.data.map((item) => [priceOf(item), item.id])),
  };
}
