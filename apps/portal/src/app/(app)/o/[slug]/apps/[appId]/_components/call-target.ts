/**
 * Which API a new key's example call goes to: the first ACTIVE subscription in the order the page lists
 * them. Without one the key cannot be used yet, and the page says why (a request still pending, or
 * none at all). Pure, unit-tested.
 */

export interface SubscribedApi {
  name: string;
  slug: string;
  orgSlug: string;
}

export type CallTarget =
  | { kind: 'active'; api: SubscribedApi }
  | { kind: 'pending'; api: SubscribedApi }
  | { kind: 'none' };

interface SubscriptionLike {
  status: string;
  plan: { api: { name: string; slug: string; org: { slug: string } } };
}

const apiOf = (sub: SubscriptionLike): SubscribedApi => ({
  name: sub.plan.api.name,
  slug: sub.plan.api.slug,
  orgSlug: sub.plan.api.org.slug,
});

export function callTarget(subscriptions: readonly SubscriptionLike[]): CallTarget {
  const active = subscriptions.find((sub) => sub.status === 'ACTIVE');
  if (active) return { kind: 'active', api: apiOf(active) };
  const pending = subscriptions.find((sub) => sub.status === 'PENDING');
  if (pending) return { kind: 'pending', api: apiOf(pending) };
  return { kind: 'none' };
}
