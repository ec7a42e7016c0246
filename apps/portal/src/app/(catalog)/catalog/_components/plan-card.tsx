import type { PlanPricing } from '@portcullis/core/billing/pricing';
import type { ReactNode } from 'react';
import { formatLimits } from '../../../../components/form';
import { pricingDetails, pricingHeadline } from '../_lib/price-text';

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
  appId: string;
  planId: string;
  status: string;
  rejectionReason: string | null;
}

/** One plan: price, limits, whether the provider approves, the chosen app's status; `children` act. */
export function PlanCard({
  plan,
  status,
  children,
}: {
  plan: CatalogPlan;
  status: MySubscription | undefined;
  children?: ReactNode;
}) {
  return (
    <li className="plan">
      <h3>{plan.name}</h3>
      <p>
        <strong data-testid="plan-price">{pricingHeadline(plan.pricing)}</strong>
      </p>
      {plan.description ? <p>{plan.description}</p> : null}
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
        <p>
          Status: <span className={`badge status-${status.status.toLowerCase()}`}>{status.status}</span>
          {status.rejectionReason ? <span className="muted"> — {status.rejectionReason}</span> : null}
          {status.status === 'PENDING' ? (
            <span className="muted"> — you will be notified when the provider decides.</span>
          ) : null}
        </p>
      ) : null}
      {children}
    </li>
  );
}
