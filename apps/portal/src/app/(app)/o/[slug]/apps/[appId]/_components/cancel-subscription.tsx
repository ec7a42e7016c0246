'use client';

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '~/components/ui/button';
import { FormMessage } from '~/components/ui/field';
import { formError, useTRPC } from '~/trpc/client';

/** The consumer's cancel, confirmed in place: the gateway then refuses the app's calls to the API. */
export function CancelSubscription({
  orgSlug,
  subscriptionId,
  apiName,
  onDone,
}: {
  orgSlug: string;
  subscriptionId: string;
  apiName: string;
  onDone: () => Promise<unknown>;
}) {
  const trpc = useTRPC();
  const [confirming, setConfirming] = useState(false);
  const cancel = useMutation(trpc.subscription.cancel.mutationOptions({ onSuccess: onDone }));
  if (!confirming) {
    return (
      <Button
        variant="secondary"
        size="sm"
        onClick={() => setConfirming(true)}
        aria-label={`Cancel subscription to ${apiName}`}
      >
        Cancel subscription
      </Button>
    );
  }
  return (
    <div className="flex flex-wrap items-center gap-2">
      <span>Calls with this app&apos;s keys will be refused.</span>
      <Button
        variant="danger"
        size="sm"
        disabled={cancel.isPending}
        onClick={() => cancel.mutate({ orgSlug, subscriptionId })}
      >
        {cancel.isPending ? 'Cancelling…' : 'Confirm cancel'}
      </Button>
      <Button variant="secondary" size="sm" onClick={() => setConfirming(false)}>
        Keep it
      </Button>
      <FormMessage message={formError(cancel.error)} />
    </div>
  );
}
