'use client';

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '~/components/ui/button';
import { Dialog, DialogClose } from '~/components/ui/dialog';
import { FormMessage } from '~/components/ui/field';
import { formError, useTRPC } from '~/trpc/client';

export function LeaveOrg({ orgSlug, orgName }: { orgSlug: string; orgName: string }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const leave = useMutation(
    trpc.members.leave.mutationOptions({ onSuccess: () => window.location.assign('/dashboard') }),
  );
  return (
    <section className="card danger-zone" aria-labelledby="leave-heading">
      <h2 id="leave-heading">Leave {orgName}</h2>
      <p className="muted">You lose access to its APIs, apps and keys until someone invites you again.</p>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title={`Leave ${orgName}?`}
        description="You lose access to its APIs, apps and keys until someone invites you again."
        trigger={<Button variant="danger">Leave organization</Button>}
      >
        <FormMessage message={formError(leave.error)} />
        <div className="flex flex-wrap gap-2">
          <Button
            variant="danger"
            disabled={leave.isPending || leave.isSuccess}
            onClick={() => leave.mutate({ orgSlug })}
          >
            {leave.isPending ? 'Leaving…' : 'Yes, leave'}
          </Button>
          <DialogClose asChild>
            <Button variant="secondary">Cancel</Button>
          </DialogClose>
        </div>
      </Dialog>
    </section>
  );
}
