'use client';

import { useMutation } from '@tanstack/react-query';
import { FormError } from '../../../../../../components/form';
import { formError, useTRPC } from '../../../../../../trpc/client';

/**
 * "Add a payment method" for a subscription that waits for one: a new Stripe Checkout Session each
 * time (the first attempt may have been declined or left), returning to this page.
 */
export function AddPaymentMethod({
  orgSlug,
  subscriptionId,
  label,
}: {
  orgSlug: string;
  subscriptionId: string;
  label: string;
}) {
  const trpc = useTRPC();
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
  return (
    <div>
      <button type="button" disabled={checkout.isPending || checkout.isSuccess} onClick={start}>
        {checkout.isPending || checkout.isSuccess ? 'Opening the payment page…' : label}
      </button>
      <FormError message={formError(checkout.error)} />
    </div>
  );
}
