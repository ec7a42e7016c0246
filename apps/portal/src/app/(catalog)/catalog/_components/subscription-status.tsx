import { Badge } from '~/components/ui/badge';
import { subscriptionState } from '../_lib/subscription-state';
import { ContinueCheckout } from './continue-checkout';
import type { MySubscription } from './plan-card';

/**
 * Where the chosen app's subscription to a plan stands. One that waits for a payment method says so
 * and leads on to checkout; one that waits for the provider reads PENDING.
 */
export function SubscriptionStatus({
  planName,
  subscription,
  billingOrg,
}: {
  planName: string;
  subscription: MySubscription;
  billingOrg: string | undefined;
}) {
  const state = subscriptionState(subscription);
  return (
    <>
      <p>
        Status: <Badge tone={state.tone}>{state.label}</Badge>
        {subscription.rejectionReason ? (
          <span className="muted"> — {subscription.rejectionReason}</span>
        ) : null}
      </p>
      {state.note ? <p className="muted">{state.note}</p> : null}
      {state.needsPaymentMethod ? (
        <ContinueCheckout planName={planName} subscriptionId={subscription.id} orgSlug={billingOrg} />
      ) : null}
    </>
  );
}
