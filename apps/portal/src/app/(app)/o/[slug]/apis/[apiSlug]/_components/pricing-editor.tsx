'use client';

import { DEFAULT_PLAN_PRICING } from '@portcullis/core/billing/pricing';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '~/components/ui/button';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';
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
  return (
    <QueryState query={pricing} pendingLabel="Loading pricing">
      {({ pricing: current, canManage }) => (
        <div className="pricing">
          <div className="plan-summary">
            <span className="text-muted">Pricing:</span>
            <span data-testid="plan-pricing">
              {current ? describePricing(current) : 'Unreadable — save it again'}
            </span>
            {canManage ? (
              <Button
                variant="secondary"
                size="sm"
                aria-expanded={editing}
                aria-label={`Edit pricing of ${planName}`}
                onClick={() => setEditing((v) => !v)}
              >
                {editing ? 'Close pricing' : 'Edit pricing'}
              </Button>
            ) : null}
          </div>
          {editing && canManage ? (
            <PricingForm
              orgSlug={orgSlug}
              planId={planId}
              planName={planName}
              initial={current ?? DEFAULT_PLAN_PRICING}
              onSaved={() => queryClient.invalidateQueries({ queryKey: query.queryKey })}
            />
          ) : null}
        </div>
      )}
    </QueryState>
  );
}
