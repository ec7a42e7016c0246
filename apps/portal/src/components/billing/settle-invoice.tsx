'use client';

import { useMutation } from '@tanstack/react-query';
import { Button } from '~/components/ui/button';
import { FormMessage } from '~/components/ui/field';
import { formError, useTRPC } from '~/trpc/client';

/**
 * Mark a local invoice paid, or void it. Only for members who manage the issuing organization's
 * billing: the billing page renders its provider side for them alone, and the invoice page shows
 * these when the server says the viewer is the provider.
 */
export function SettleInvoice({
  orgSlug,
  invoiceId,
  number,
  onChanged,
}: {
  orgSlug: string;
  invoiceId: string;
  number: string;
  onChanged: () => Promise<unknown>;
}) {
  const trpc = useTRPC();
  const markPaid = useMutation(trpc.billing.markPaid.mutationOptions({ onSuccess: onChanged }));
  const voidIt = useMutation(trpc.billing.void.mutationOptions({ onSuccess: onChanged }));
  const busy = markPaid.isPending || voidIt.isPending;
  return (
    <div>
      <div className="flex flex-wrap gap-2">
        <Button
          size="sm"
          disabled={busy}
          aria-label={`Mark ${number} paid`}
          onClick={() => markPaid.mutate({ orgSlug, invoiceId })}
        >
          Mark paid
        </Button>
        <Button
          size="sm"
          variant="danger"
          disabled={busy}
          aria-label={`Void ${number}`}
          onClick={() => voidIt.mutate({ orgSlug, invoiceId })}
        >
          Void
        </Button>
      </div>
      <FormMessage message={formError(markPaid.error) ?? formError(voidIt.error)} />
    </div>
  );
}
