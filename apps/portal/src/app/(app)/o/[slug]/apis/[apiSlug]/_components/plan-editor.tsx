'use client';

import { type LimitWindow, parsePlanLimits } from '@portcullis/core/policies';
import { useState } from 'react';
import { formatLimits } from '~/components/form';
import { Button } from '~/components/ui/button';
import { AiLimitsEditor } from './ai-limits-editor';
import { ArchivePlan } from './plan/archive-plan';
import { LimitsForm } from './plan/limits-form';
import { SCOPES } from './plan/windows-fieldset';
import { PricingEditor } from './pricing-editor';

export interface PlanRow {
  id: string;
  name: string;
  rateLimit: number | null;
  rateLimitWindowSeconds: number;
  monthlyQuota: number | null;
  requiresApproval: boolean;
  limits: unknown;
}

const formatWindow = (w: LimitWindow) =>
  `${w.limit} / ${w.windowSeconds}s ${SCOPES.find((s) => s.value === w.scope)?.label ?? w.scope}`;

/** One plan in the provider's list: its limits, and (for owners/admins) an editor and archiving. */
export function PlanItem({
  orgSlug,
  plan,
  canWrite,
  onChanged,
}: {
  orgSlug: string;
  plan: PlanRow;
  canWrite: boolean;
  onChanged: () => Promise<void>;
}) {
  const [editing, setEditing] = useState(false);
  const windows = parsePlanLimits(plan.limits);
  return (
    <li className="plan-item">
      <div className="plan-summary">
        <strong>{plan.name}</strong>
        <span className="muted">{formatLimits(plan)}</span>
        {windows.length > 0 ? (
          <span className="muted" data-testid="plan-windows">
            + {windows.map(formatWindow).join(', ')}
          </span>
        ) : null}
        <span className="badge">{plan.requiresApproval ? 'Approval required' : 'Instant'}</span>
      </div>
      {canWrite ? (
        <div className="actions">
          <Button
            variant="secondary"
            size="sm"
            aria-expanded={editing}
            aria-label={`Edit limits of ${plan.name}`}
            onClick={() => setEditing((v) => !v)}
          >
            {editing ? 'Close editor' : 'Edit limits'}
          </Button>
          <ArchivePlan orgSlug={orgSlug} plan={plan} onDone={onChanged} />
        </div>
      ) : null}
      {editing ? <LimitsForm orgSlug={orgSlug} plan={plan} onDone={onChanged} /> : null}
      <PricingEditor orgSlug={orgSlug} planId={plan.id} planName={plan.name} />
      <AiLimitsEditor orgSlug={orgSlug} planId={plan.id} />
    </li>
  );
}
