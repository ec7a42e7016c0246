'use client';

import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { FormMessage } from '~/components/ui/field';
import { formError, useTRPC } from '../../../../trpc/client';

export function ConfirmEmail({ token }: { token: string }) {
  const trpc = useTRPC();
  const confirm = useMutation(trpc.account.verifyEmail.mutationOptions());

  if (confirm.isSuccess) {
    return (
      <>
        <h1>Address confirmed</h1>
        <p role="status">
          <strong>{confirm.data.email}</strong> is confirmed as your account's address.
        </p>
        <p>
          <Link href="/dashboard">Go to your dashboard</Link>
        </p>
      </>
    );
  }
  return (
    <>
      <h1>Confirm your address</h1>
      <p>Confirm that this email address belongs to your Portcullis account.</p>
      <FormMessage message={formError(confirm.error)} />
      <button type="button" disabled={confirm.isPending} onClick={() => confirm.mutate({ token })}>
        {confirm.isPending ? 'Confirming…' : 'Confirm my address'}
      </button>
    </>
  );
}
