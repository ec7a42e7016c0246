import type { SubscriptionRecord } from '../config/repository.ts';
import { type GatewayProblem, problem } from '../http/problem.ts';
import { err, ok, type Result } from '../result.ts';

/** Picks the subscription that governs this call: an ACTIVE one if any, else explains the newest. */
export function checkSubscription(
  subscriptions: SubscriptionRecord[],
): Result<SubscriptionRecord, GatewayProblem> {
  const active = subscriptions.find((s) => s.status === 'ACTIVE');
  if (active) return ok(active);
  const newest = subscriptions[0];
  if (!newest) return err(problem('no_subscription', 'Your app has no subscription to a plan of this API.'));
  if (newest.status === 'SUSPENDED' && newest.suspendedReason === 'payment_failed') {
    return err(
      problem(
        'payment_required',
        "Your app's subscription is suspended because a payment failed; update the payment method in the developer portal.",
      ),
    );
  }
  return err(problem('subscription_inactive', `Your app's subscription to this API is ${newest.status}.`));
}
