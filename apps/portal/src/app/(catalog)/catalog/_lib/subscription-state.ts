/** How the catalog shows where one of the viewer's subscriptions stands, and what is left to do. */

/** `Subscription.pendingReason` while the consumer has not yet added a payment method. */
const AWAITING_PAYMENT_METHOD = 'payment_method';

export interface SubscriptionLike {
  status: string;
  /** Why a PENDING subscription waits: `payment_method`, or none (the provider's approval). */
  pendingReason?: string | null;
}

type StateTone = 'neutral' | 'ok' | 'warn' | 'danger';

export interface SubscriptionStateView {
  /** The badge text: the status itself, except for a subscription waiting for a payment method. */
  label: string;
  tone: StateTone;
  /** What happens next, after the badge. */
  note: string | null;
  needsPaymentMethod: boolean;
}

const TONES: Record<string, StateTone> = {
  ACTIVE: 'ok',
  PENDING: 'warn',
  SUSPENDED: 'warn',
  REJECTED: 'danger',
  CANCELLED: 'danger',
};

export function awaitsPaymentMethod(subscription: SubscriptionLike): boolean {
  return subscription.status === 'PENDING' && subscription.pendingReason === AWAITING_PAYMENT_METHOD;
}

/** A plan card's status line. Approval-pending ones keep the word PENDING. */
export function subscriptionState(subscription: SubscriptionLike): SubscriptionStateView {
  if (awaitsPaymentMethod(subscription)) {
    return {
      label: 'Payment method needed',
      tone: 'warn',
      note: 'The subscription starts once a payment method is saved.',
      needsPaymentMethod: true,
    };
  }
  return {
    label: subscription.status,
    tone: TONES[subscription.status] ?? 'neutral',
    note: subscription.status === 'PENDING' ? 'You will be notified when the provider decides.' : null,
    needsPaymentMethod: false,
  };
}

/** Whether the subscription still holds the plan (so the card offers no new subscription). */
export function holdsPlan(status: string | undefined): boolean {
  return status === 'PENDING' || status === 'ACTIVE' || status === 'SUSPENDED';
}

/**
 * The "try it" console's words for a subscription: words rather than the status codes the plan cards
 * show, so a page has one "PENDING" to look for.
 */
export function callWord(subscription: SubscriptionLike): string {
  if (awaitsPaymentMethod(subscription)) return 'payment method needed';
  switch (subscription.status) {
    case 'ACTIVE':
      return 'can call';
    case 'PENDING':
      return 'awaiting approval';
    case 'SUSPENDED':
      return 'suspended';
    default:
      return subscription.status;
  }
}

/**
 * Where Stripe Checkout sends the browser back to: the Billing page of the org holding the app. The
 * slug may be the `{org}` placeholder the server fills in for a new app's org, so it is left as is.
 */
export function checkoutReturn(origin: string, orgSlug: string) {
  const billing = `${origin}/o/${orgSlug}/billing`;
  return { successUrl: `${billing}?checkout=done`, cancelUrl: `${billing}?checkout=cancelled` };
}

interface Held extends SubscriptionLike {
  id: string;
  appId: string;
  planId: string;
}

/**
 * The app's subscription to a plan: the newest one the page's query lists (cancelled ones no longer
 * count), else the one just made here. The subscribe answer's `pendingReason` fills in for a list that
 * does not carry it.
 */
export function subscriptionFor<T extends Held & { rejectionReason: string | null }>(
  listed: T[],
  justMade: (Held & { pendingReason: string | null }) | null,
  appId: string,
  planId: string,
): (Held & { rejectionReason: string | null }) | undefined {
  const mine = justMade?.appId === appId && justMade.planId === planId ? justMade : null;
  const found = listed.find((s) => s.appId === appId && s.planId === planId && s.status !== 'CANCELLED');
  if (!found) return mine ? { ...mine, rejectionReason: null } : undefined;
  if (mine?.id !== found.id) return found;
  return found.pendingReason === undefined ? { ...found, pendingReason: mine.pendingReason } : found;
}
