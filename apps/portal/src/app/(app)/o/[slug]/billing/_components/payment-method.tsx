'use client';

import { useMutation } from '@tanstack/react-query';
import { useId } from 'react';
import { Button } from '~/components/ui/button';
import { FormMessage } from '~/components/ui/field';
import { formError, useTRPC } from '~/trpc/client';

/**
 * "Add a payment method" for a subscription that waits for one: a new Stripe Checkout Session each
 * time (the first attempt may have been declined or left), returning to this page. Disabled, with
 * the reason beside it, for a role that cannot start subscriptions.
 */
export function AddPaymentMethod({
  orgSlug,
  subscriptionId,
  label,
  disabledReason = null,
}: {
  orgSlug: string;
  subscriptionId: string;
  label: string;
  disabledReason?: string | null;
}) {
  const trpc = useTRPC();
  const reasonId = useId();
  const checkout = useMutation(
    trpc.subscription.checkout.mutationOptions({
      onSuccess: ({ url }) => window.location.assign(url),
    }),
  );
  const start = () => {
    const billing = `${window.location.origin}/o/${encodeURIComponent(orgSlug)}/billing`;
    checkout.mutate({
      orgSlug,
      subscriptionId,
      successUrl: `${billing}?checkout=done`,
      cancelUrl: `${billing}?checkout=cancelled`,
    });
  };
  const opening = checkout.isPending || checkout.isSuccess;
  return (
    <div>
      <Button
        size="sm"
        disabled={opening || disabledReason !== null}
        aria-describedby={disabledReason ? reasonId : undefined}
        onClick={start}
      >
        {opening ? 'Opening the payment page…' : label}
      </Button>
      {disabledReason ? (
        <p id={reasonId} className="m-0 mt-1 text-sm text-muted">
          {disabledReason}
        </p>
      ) : null}
      <FormMessage message={formError(checkout.error)} />
    </div>
  );
}
