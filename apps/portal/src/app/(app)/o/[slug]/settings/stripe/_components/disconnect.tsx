'use client';

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '~/components/ui/button';
import { FormMessage } from '~/components/ui/field';
import { formError, useTRPC } from '~/trpc/client';

/** Disconnects Stripe after a confirmation; invoices are then local again. */
export function Disconnect({ slug, onDone }: { slug: string; onDone: () => Promise<unknown> }) {
  const trpc = useTRPC();
  const [confirming, setConfirming] = useState(false);
  const disconnect = useMutation(
    trpc.stripe.disconnect.mutationOptions({
      onSuccess: async () => {
        setConfirming(false);
        await onDone();
      },
    }),
  );
  return (
    <section className="card danger-zone" aria-labelledby="disconnect-title">
      <h2 id="disconnect-title">Disconnect</h2>
      <p className="muted">
        Invoices are then issued and tracked here only. Subscriptions suspended for unpaid Stripe invoices are
        resumed. Nothing in your Stripe account is deleted: cancel Stripe subscriptions there if you want them
        to stop charging.
      </p>
      {confirming ? (
        <div className="confirm flex flex-wrap gap-2">
          <Button
            variant="danger"
            disabled={disconnect.isPending}
            onClick={() => disconnect.mutate({ orgSlug: slug })}
          >
            {disconnect.isPending ? 'Disconnecting…' : 'Yes, disconnect Stripe'}
          </Button>
          <Button variant="secondary" onClick={() => setConfirming(false)}>
            Keep it
          </Button>
        </div>
      ) : (
        <Button variant="danger" onClick={() => setConfirming(true)}>
          Disconnect Stripe
        </Button>
      )}
      <FormMessage message={formError(disconnect.error)} />
    </section>
  );
}
