/**
 * Which API a new key's example call goes to: the first ACTIVE subscription, in the order the page lists
 * them, whose API still takes calls (a retired API answers 410). Without one the key cannot be used yet,
 * and the page says why: a request waiting for the provider's approval, one waiting for this org's
 * payment method, a suspended subscription, or none at all. Pure, unit-tested.
 */

export interface SubscribedApi {
  name: string;
  slug: string;
  orgSlug: string;
}

export type CallTarget =
  | { kind: 'active'; api: SubscribedApi }
  | { kind: 'approval' | 'payment_method' | 'suspended'; api: SubscribedApi }
  | { kind: 'none' };

interface SubscriptionLike {
  status: string;
  pendingReason?: string | null;
  plan: { api: { name: string; slug: string; status?: string; org: { slug: string } } };
}

const apiOf = (sub: SubscriptionLike): SubscribedApi => ({
  name: sub.plan.api.name,
  slug: sub.plan.api.slug,
  orgSlug: sub.plan.api.org.slug,
});

export function callTarget(subscriptions: readonly SubscriptionLike[]): CallTarget {
  const open = subscriptions.filter((sub) => sub.plan.api.status !== 'RETIRED');
  const active = open.find((sub) => sub.status === 'ACTIVE');
  if (active) return { kind: 'active', api: apiOf(active) };
  const pending = open.find((sub) => sub.status === 'PENDING');
  if (pending) {
    return {
      kind: pending.pendingReason === 'payment_method' ? 'payment_method' : 'approval',
      api: apiOf(pending),
    };
  }
  const suspended = open.find((sub) => sub.status === 'SUSPENDED');
  if (suspended) return { kind: 'suspended', api: apiOf(suspended) };
  return { kind: 'none' };
}
