'use client';

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '~/components/ui/button';
import { Dialog } from '~/components/ui/dialog';
import { FormMessage } from '~/components/ui/field';
import { useTRPC } from '~/trpc/client';
import { PriceForm, type PriceRow } from './price-form';

/** Edit (in a dialog) and Delete for one price row. */
export function PriceActions({
  orgSlug,
  row,
  onChanged,
}: {
  orgSlug: string;
  row: PriceRow;
  onChanged: () => Promise<unknown>;
}) {
  const trpc = useTRPC();
  const [editing, setEditing] = useState(false);
  const remove = useMutation(trpc.ai.deletePrice.mutationOptions({ onSuccess: onChanged }));
  return (
    <div>
      <div className="flex flex-wrap gap-2">
        <Dialog
          open={editing}
          onOpenChange={setEditing}
          title={`Edit the price of ${row.model}`}
          trigger={
            <Button variant="secondary" size="sm">
              Edit<span className="sr-only"> the price of {row.model}</span>
            </Button>
          }
        >
          <PriceForm
            orgSlug={orgSlug}
            row={row}
            onDone={async () => {
              await onChanged();
              setEditing(false);
            }}
          />
        </Dialog>
        <Button
          variant="danger"
          size="sm"
          aria-label={`Delete the price of ${row.model}`}
          disabled={remove.isPending}
          onClick={() => remove.mutate({ orgSlug, priceId: row.id })}
        >
          Delete
        </Button>
      </div>
      <FormMessage message={remove.error?.message} />
    </div>
  );
}
