'use client';

import { useMutation } from '@tanstack/react-query';
import { Button } from '~/components/ui/button';
import { FormMessage } from '~/components/ui/field';
import { formError, useTRPC } from '~/trpc/client';

/** The invitee's account has the address but has not proven it owns it: accepting waits for that. */
export function ConfirmFirst({ email }: { email: string }) {
  const trpc = useTRPC();
  const resend = useMutation(trpc.account.resendVerification.mutationOptions());
  return (
    <>
      <p>
        Before you can accept, confirm that <strong>{email}</strong> is yours: follow the link we mailed to
        it, then come back to this page.
      </p>
      <Button variant="secondary" disabled={resend.isPending} onClick={() => resend.mutate()}>
        {resend.isPending ? 'Sending…' : 'Send a new confirmation link'}
      </Button>
      <FormMessage message={formError(resend.error)} />
      {resend.isSuccess ? (
        <p className="saved" role="status">
          {resend.data.sent ? `We sent a new link to ${resend.data.email}.` : 'Your address is confirmed.'}
        </p>
      ) : null}
    </>
  );
}
