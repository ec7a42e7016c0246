'use client';

import { useMutation } from '@tanstack/react-query';
import { Button } from '~/components/ui/button';
import { FormMessage } from '~/components/ui/field';
import { toast } from '~/components/ui/toast';
import { formError, useTRPC } from '~/trpc/client';

export interface SubscriberRow {
  id: string;
  status: string;
  app: { name: string; org: { name: string; slug: string } };
  plan: { name: string; archivedAt: Date | null };
}

/** Suspend (cuts the app off at the gateway) or resume one subscription. */
export function SubscriberActions({
  orgSlug,
  row,
  onChanged,
}: {
  orgSlug: string;
  row: SubscriberRow;
  onChanged: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const suspend = useMutation(
    trpc.subscription.suspend.mutationOptions({
      onSuccess: async () => {
        await onChanged();
        toast.success(`${row.app.name} suspended`);
      },
    }),
  );
  const resume = useMutation(
    trpc.subscription.resume.mutationOptions({
      onSuccess: async () => {
        await onChanged();
        toast.success(`${row.app.name} resumed`);
      },
    }),
  );
  const busy = suspend.isPending || resume.isPending;
  return (
    <div>
      {row.status === 'ACTIVE' ? (
        <Button
          variant="danger"
          size="sm"
          disabled={busy}
          aria-label={`Suspend ${row.app.name}`}
          onClick={() => suspend.mutate({ orgSlug, subscriptionId: row.id })}
        >
          {suspend.isPending ? 'Suspending…' : 'Suspend'}
        </Button>
      ) : null}
      {row.status === 'SUSPENDED' ? (
        <Button
          size="sm"
          disabled={busy}
          aria-label={`Resume ${row.app.name}`}
          onClick={() => resume.mutate({ orgSlug, subscriptionId: row.id })}
        >
          {resume.isPending ? 'Resuming…' : 'Resume'}
        </Button>
      ) : null}
      <FormMessage message={formError(suspend.error) ?? formError(resume.error)} />
    </div>
  );
}
