'use client';

import { DEFAULT_PLAN_PRICING } from '@portcullis/core/billing/pricing';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorState, Loading } from '../../../../../../../components/form';
import { useTRPC } from '../../../../../../../trpc/client';
import { PricingForm } from './pricing/pricing-form';
import { describePricing } from './pricing-draft';

/**
 * A plan's pricing: a summary line for everyone who can see the plan, and an editor for ADMIN/OWNER.
 * Loads the pricing itself, so it mounts with just the plan's id and name.
 */
export function PricingEditor({
  orgSlug,
  planId,
  planName,
}: {
  orgSlug: string;
  planId: string;
  planName: string;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const query = trpc.billing.planPricing.queryOptions({ orgSlug, planId });
  const pricing = useQuery(query);
  if (pricing.isPending) return <Loading what="Loading pricing" />;
  if (pricing.isError) return <ErrorState error={pricing.error} />;
  const current = pricing.data.pricing;
  return (
    <div className="pricing">
      <div className="plan-summary">
        <span className="muted">Pricing:</span>
        <span data-testid="plan-pricing">
          {current ? describePricing(current) : 'Unreadable — save it again'}
        </span>
        {pricing.data.canManage ? (
          <button
            type="button"
            className="secondary"
            aria-expanded={editing}
            aria-label={`Edit pricing of ${planName}`}
            onClick={() => setEditing((v) => !v)}
          >
            {editing ? 'Close pricing' : 'Edit pricing'}
          </button>
        ) : null}
      </div>
      {editing && pricing.data.canManage ? (
        <PricingForm
          orgSlug={orgSlug}
          planId={planId}
          planName={planName}
          initial={current ?? DEFAULT_PLAN_PRICING}
          onSaved={() => queryClient.invalidateQueries({ queryKey: query.queryKey })}
        />
      ) : null}
    </div>
  );
}
