'use client';

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { FormProvider } from 'react-hook-form';
import { applyServerErrors } from '~/components/forms/errors';
import { TextField } from '~/components/forms/fields';
import { useDraftForm } from '~/components/forms/use-draft-form';
import { Button } from '~/components/ui/button';
import { Dialog, DialogClose } from '~/components/ui/dialog';
import { FormMessage } from '~/components/ui/field';
import { toast } from '~/components/ui/toast';
import { formError, useTRPC } from '~/trpc/client';
import { ZRetireDraft } from './lifecycle-draft';

/** Retiring cuts every consumer off for good, so a dialog asks for the API's slug first. */
export function RetireDialog({
  orgSlug,
  api,
  onChanged,
}: {
  orgSlug: string;
  api: { id: string; slug: string };
  onChanged: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const form = useDraftForm(ZRetireDraft, { confirmSlug: '' });
  const retire = useMutation(
    trpc.policy.retire.mutationOptions({
      onSuccess: async () => {
        setOpen(false);
        await onChanged();
        toast.success('API retired: the gateway answers 410');
      },
      onError: (error) => applyServerErrors(form.setError, error),
    }),
  );
  const onSubmit = form.handleSubmit(({ confirmSlug }) =>
    retire.mutate({ orgSlug, apiId: api.id, confirmSlug }),
  );
  function onOpenChange(next: boolean) {
    setOpen(next);
    if (!next) {
      form.reset();
      retire.reset();
    }
  }

  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      trigger={<Button variant="danger">Retire API…</Button>}
      title="Retire this API?"
      description={
        <>
          Every consumer is cut off: the gateway answers <code>410 api_retired</code>. It cannot be undone.
        </>
      }
    >
      <FormProvider {...form}>
        <form onSubmit={onSubmit} noValidate>
          <TextField
            name="confirmSlug"
            id="retire-confirm"
            label={`Type ${api.slug} to confirm`}
            autoComplete="off"
          />
          <FormMessage message={formError(retire.error)} />
          <div className="flex flex-wrap justify-end gap-2">
            <DialogClose asChild>
              <Button variant="secondary">Cancel</Button>
            </DialogClose>
            <Button type="submit" variant="danger" disabled={retire.isPending}>
              {retire.isPending ? 'Retiring…' : 'Retire permanently'}
            </Button>
          </div>
        </form>
      </FormProvider>
    </Dialog>
  );
}
