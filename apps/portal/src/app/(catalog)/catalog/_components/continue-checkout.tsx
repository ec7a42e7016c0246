'use client';

import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { Button } from '~/components/ui/button';
import { FormMessage } from '~/components/ui/field';
import { formError, useTRPC } from '~/trpc/client';
import { checkoutReturn } from '../_lib/subscription-state';

/**
 * The way on for a subscription waiting for a payment method: a new Stripe Checkout Session (as after
 * confirming a priced plan), coming back to the Billing page of the org holding the app, which also
 * lists it.
 */
export function ContinueCheckout({
  planName,
  subscriptionId,
  orgSlug,
}: {
  planName: string;
  subscriptionId: string;
  orgSlug: string | undefined;
}) {
  const trpc = useTRPC();
  const checkout = useMutation(
    trpc.subscription.checkout.mutationOptions({ onSuccess: ({ url }) => window.location.assign(url) }),
  );
  if (!orgSlug) return null;
  const opening = checkout.isPending || checkout.isSuccess;
  return (
    <>
      <p className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <Button
          disabled={opening}
          onClick={() =>
            checkout.mutate({
              orgSlug,
              subscriptionId,
              ...checkoutReturn(window.location.origin, orgSlug),
            })
          }
        >
          {opening ? 'Opening the payment page…' : 'Add a payment method'}
          <span className="sr-only"> for {planName}</span>
        </Button>
        <span className="muted">
          or from <Link href={`/o/${encodeURIComponent(orgSlug)}/billing`}>Billing</Link>
        </span>
      </p>
      <FormMessage message={formError(checkout.error)} />
    </>
  );
}
