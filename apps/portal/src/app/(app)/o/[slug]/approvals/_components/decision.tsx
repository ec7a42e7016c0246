'use client';

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '~/components/ui/button';
import { Field, FormMessage } from '~/components/ui/field';
import { toast } from '~/components/ui/toast';
import { fieldErrors, formError, useTRPC } from '~/trpc/client';

export interface PendingRow {
  id: string;
  createdAt: Date;
  requestedBy: { name: string | null; email: string } | null;
  app: { name: string; org: { name: string; slug: string } };
  plan: { name: string; api: { name: string } };
}

/** Approve at once, or reject with a reason the consumer will read. */
export function Decision({
  orgSlug,
  row,
  onDecided,
}: {
  orgSlug: string;
  row: PendingRow;
  onDecided: () => Promise<unknown>;
}) {
  const trpc = useTRPC();
  const [reason, setReason] = useState('');
  const what = `${row.app.name} on ${row.plan.api.name} (${row.plan.name})`;
  const decided = (verb: string) => async () => {
    toast.success(`${verb} ${what}`);
    await onDecided();
  };
  const approve = useMutation(trpc.subscription.approve.mutationOptions({ onSuccess: decided('Approved') }));
  const reject = useMutation(trpc.subscription.reject.mutationOptions({ onSuccess: decided('Rejected') }));
  const busy = approve.isPending || reject.isPending;
  return (
    <div className="flex min-w-0 flex-wrap items-end gap-2">
      <Button
        size="sm"
        disabled={busy}
        onClick={() => approve.mutate({ orgSlug, subscriptionId: row.id })}
        aria-label={`Approve ${what}`}
      >
        Approve
      </Button>
      <form
        className="flex min-w-0 flex-[1_1_14rem] flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          reject.mutate({ orgSlug, subscriptionId: row.id, reason });
        }}
      >
        <Field
          id={`reason-${row.id}`}
          label="Reason"
          value={reason}
          error={fieldErrors(reject.error).reason}
          onChange={(e) => setReason(e.target.value)}
          fieldClassName="mb-0 min-w-0 flex-[1_1_10rem]"
          className="py-1"
        />
        <Button type="submit" variant="danger" size="sm" disabled={busy} aria-label={`Reject ${what}`}>
          Reject
        </Button>
      </form>
      <FormMessage message={formError(approve.error) ?? formError(reject.error)} />
    </div>
  );
}
