'use client';

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '~/components/ui/button';
import { Dialog, DialogClose } from '~/components/ui/dialog';
import { FormMessage } from '~/components/ui/field';
import { toast } from '~/components/ui/toast';
import { useTRPC } from '~/trpc/client';

/** Archiving a plan, after a confirmation: new subscriptions stop, existing ones keep working. */
export function ArchivePlan({
  orgSlug,
  plan,
  onDone,
}: {
  orgSlug: string;
  plan: { id: string; name: string };
  onDone: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const archive = useMutation(
    trpc.policy.archivePlan.mutationOptions({
      onSuccess: async () => {
        setOpen(false);
        await onDone();
        toast.success(`${plan.name} archived`);
      },
    }),
  );
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) archive.reset();
      }}
      trigger={
        <Button variant="danger" size="sm" aria-label={`Archive plan ${plan.name}`}>
          Archive plan
        </Button>
      }
      title={`Archive ${plan.name}?`}
      description="New subscriptions stop; existing ones keep working."
    >
      <FormMessage message={archive.error?.message} />
      <div className="flex flex-wrap justify-end gap-2">
        <DialogClose asChild>
          <Button variant="secondary">Keep</Button>
        </DialogClose>
        <Button
          variant="danger"
          disabled={archive.isPending}
          onClick={() => archive.mutate({ orgSlug, planId: plan.id })}
        >
          {archive.isPending ? 'Archiving…' : 'Confirm archive'}
        </Button>
      </div>
    </Dialog>
  );
}
