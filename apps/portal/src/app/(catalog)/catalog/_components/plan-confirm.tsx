'use client';

import type { PlanPricing } from '@portcullis/core/billing/pricing';
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { FormError } from '../../../../components/form';
import { formError } from '../../../../trpc/client';
import { pricingDetails, pricingHeadline } from '../_lib/price-text';

interface ConfirmPlan {
  id: string;
  name: string;
  monthlyQuota: number | null;
  requiresApproval: boolean;
  pricing: PlanPricing;
}

interface SubscribeInput {
  orgSlug: string;
  appId: string;
  planId: string;
  successUrl?: string;
  cancelUrl?: string;
}

interface SubscribeMutation {
  isPending: boolean;
  error: unknown;
  mutate: (
    input: SubscribeInput,
    options?: { onSuccess?: (data: { checkoutUrl?: string; checkoutError?: string }) => void },
  ) => void;
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
 * Subscribe button of one plan. A free plan subscribes at once; a priced one first shows what will be
 * charged and asks for confirmation. When the provider collects payments through Stripe the answer
 * carries a Checkout URL and the browser goes there to add a payment method; it comes back to the
 * consumer org's Billing page either way.
 */
export function PlanConfirm({
  plan,
  appName,
  input,
  subscribe,
}: {
  plan: ConfirmPlan;
  appName: string;
  input: SubscribeInput;
  subscribe: SubscribeMutation;
}) {
  const [open, setOpen] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const confirm = () => {
    const billing = `${window.location.origin}/o/${encodeURIComponent(input.orgSlug)}/billing`;
    subscribe.mutate(
      { ...input, successUrl: `${billing}?checkout=done`, cancelUrl: `${billing}?checkout=cancelled` },
      {
        onSuccess: (data) => {
          if (data.checkoutUrl) {
            window.location.assign(data.checkoutUrl);
            return;
          }
          if (data.checkoutError) {
            setProblem(
              `Subscribed, but the payment page could not be opened (${data.checkoutError}). Add a payment method from Billing.`,
            );
            return;
          }
          setOpen(false);
        },
      },
    );
  };
  const free = plan.pricing.model === 'free';
  return (
    <>
      <button
        type="button"
        aria-label={`Subscribe to ${plan.name}`}
        disabled={subscribe.isPending}
        onClick={() => (free ? subscribe.mutate(input) : setOpen(true))}
      >
        Subscribe
      </button>
      {open ? (
        <ModalDialog title={`Subscribe ${appName} to ${plan.name}?`} onClose={() => setOpen(false)}>
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
            Charges are invoiced at the end of each monthly billing period. If the provider collects payments
            by card, you add a payment method next; the subscription starts once it is saved
            {plan.requiresApproval ? ' and the provider has approved it' : ''}.
          </p>
          <FormError message={problem ?? formError(subscribe.error)} />
          <div className="form-actions">
            <button type="button" disabled={subscribe.isPending} onClick={confirm}>
              {subscribe.isPending ? 'Subscribing…' : 'Confirm and subscribe'}
            </button>
            <button type="button" className="secondary" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </ModalDialog>
      ) : null}
    </>
  );
}

/** A native modal dialog, in the page only while open (so a closed one never matches a label query). */
function ModalDialog({
  title,
  onClose,
  children,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    if (!dialog.current?.open) dialog.current?.showModal();
  }, []);
  return (
    <dialog ref={dialog} aria-labelledby={titleId} onClose={onClose} className="card">
      <h2 id={titleId}>{title}</h2>
      {children}
    </dialog>
  );
}
