'use client';

import type { PlanPricing } from '@portcullis/core/billing/pricing';
import { Button } from '~/components/ui/button';
import { Dialog } from '~/components/ui/dialog';
import { FormMessage } from '~/components/ui/field';
import { pricingDetails, pricingHeadline } from '../_lib/price-text';

export interface ConfirmPlan {
  id: string;
  name: string;
  monthlyQuota: number | null;
  requiresApproval: boolean;
  pricing: PlanPricing;
}

const DAY_MS = 86_400_000;
const day = (at: Date) => at.toISOString().slice(0, 10);

/** The plan's charges in sentences, with the trial's end as a date counted from today. */
function chargeSummary(pricing: PlanPricing, now: Date): string[] {
  const lines = pricingDetails(pricing).filter((line) => !line.startsWith('The first '));
  if (pricing.trialDays > 0) {
    const end = new Date(now.getTime() + pricing.trialDays * DAY_MS);
    lines.push(
      `Free trial of ${pricing.trialDays} days, until ${day(end)}: the billing period that starts in the trial is not charged.`,
    );
  }
  return lines;
}

/**
 * What a priced plan will charge, and the confirmation before subscribing. When the provider collects
 * payments through Stripe, the subscription answer carries a Checkout URL and the browser goes there to
 * add a payment method; it comes back to the consumer org's Billing page either way.
 */
export function PlanConfirm({
  plan,
  appName,
  onConfirm,
  onCancel,
  isPending,
  problem,
}: {
  plan: ConfirmPlan;
  appName: string;
  onConfirm: () => void;
  onCancel: () => void;
  isPending: boolean;
  problem: string | null;
}) {
  return (
    <Dialog
      open
      onOpenChange={(open) => (open ? null : onCancel())}
      title={`Subscribe ${appName} to ${plan.name}?`}
    >
      <p>
        <strong data-testid="confirm-price">{pricingHeadline(plan.pricing)}</strong>
      </p>
      <ul data-testid="confirm-charges">
        {chargeSummary(plan.pricing, new Date()).map((line) => (
          <li key={line}>{line}</li>
        ))}
        {plan.monthlyQuota !== null ? (
          <li>Up to {plan.monthlyQuota.toLocaleString('en-US')} requests per month.</li>
        ) : null}
      </ul>
      <p className="muted">
        Charges are invoiced at the end of each monthly billing period. If the provider collects payments by
        card, you add a payment method next; the subscription starts once it is saved
        {plan.requiresApproval ? ' and the provider has approved it' : ''}.
      </p>
      <FormMessage message={problem} />
      <div className="form-actions">
        <Button disabled={isPending} onClick={onConfirm}>
          {isPending ? 'Subscribing…' : 'Confirm and subscribe'}
        </Button>
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </Dialog>
  );
}
