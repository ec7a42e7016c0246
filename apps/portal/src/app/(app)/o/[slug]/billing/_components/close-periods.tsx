'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Button } from '~/components/ui/button';
import { FormMessage } from '~/components/ui/field';
import { formError, useTRPC } from '~/trpc/client';
import { closeSummary } from './billing-view';

/** Platform operators can close every ended period now instead of waiting for the scheduled run. */
export function ClosePeriods() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const close = useMutation(
    trpc.billing.closePeriodsNow.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.billing.pathKey() }),
    }),
  );
  return (
    <section className="card" aria-labelledby="close-title">
      <h2 id="close-title">Billing run</h2>
      <p className="muted">Platform administrators: invoice every billing period that has ended.</p>
      <div className="form-actions">
        <Button disabled={close.isPending} onClick={() => close.mutate()}>
          {close.isPending ? 'Closing…' : 'Close billing periods now'}
        </Button>
        <span role="status">{close.data ? closeSummary(close.data) : ''}</span>
      </div>
      <FormMessage message={formError(close.error)} />
    </section>
  );
}
