import type { PlanPricing } from '@portcullis/core/billing/pricing';
import type { ReactNode } from 'react';
import { formatLimits } from '~/components/form';
import { pricingDetails, pricingHeadline } from '../_lib/price-text';
import { SubscriptionStatus } from './subscription-status';

export interface CatalogPlan {
  id: string;
  name: string;
  description: string;
  rateLimit: number | null;
  rateLimitWindowSeconds: number;
  monthlyQuota: number | null;
  requiresApproval: boolean;
  pricing: PlanPricing;
}

export interface MySubscription {
  id: string;
  appId: string;
  planId: string;
  status: string;
  /** Why a PENDING subscription waits (`payment_method`), when the catalog query says. */
  pendingReason?: string | null;
  rejectionReason: string | null;
}

/**
 * One plan: price, limits, whether the provider approves, the chosen app's status (`billingOrg` holds
 * the app, for the way to checkout); `children` act.
 */
export function PlanCard({
  plan,
  status,
  billingOrg,
  children,
}: {
  plan: CatalogPlan;
  status: MySubscription | undefined;
  billingOrg: string | undefined;
  children?: ReactNode;
}) {
  return (
    <li className="plan min-w-0">
      <h3>{plan.name}</h3>
      <p>
        <strong data-testid="plan-price">{pricingHeadline(plan.pricing)}</strong>
      </p>
      {plan.description ? <p className="[overflow-wrap:anywhere]">{plan.description}</p> : null}
      <p>{formatLimits(plan)}</p>
      <ul className="muted">
        {pricingDetails(plan.pricing).map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      <p className="muted">
        {plan.requiresApproval ? 'The provider approves each subscription.' : 'Instant access.'}
      </p>
      {status ? (
        <SubscriptionStatus planName={plan.name} subscription={status} billingOrg={billingOrg} />
      ) : null}
      {children}
    </li>
  );
}
