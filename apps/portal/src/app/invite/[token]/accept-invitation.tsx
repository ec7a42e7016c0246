'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { signOut } from 'next-auth/react';
import { useState } from 'react';
import { ErrorState, FormError, Loading } from '../../../components/form';
import { formError, isNotFound, useTRPC } from '../../../trpc/client';

/** The invitee's account has the address but has not proven it owns it: accepting waits for that. */
function ConfirmFirst({ email }: { email: string }) {
  const trpc = useTRPC();
  const resend = useMutation(trpc.account.resendVerification.mutationOptions());
  return (
    <>
      <p>
        Before you can accept, confirm that <strong>{email}</strong> is yours: follow the link we mailed to
        it, then come back to this page.
      </p>
      <button type="button" className="secondary" disabled={resend.isPending} onClick={() => resend.mutate()}>
        {resend.isPending ? 'Sending…' : 'Send a new confirmation link'}
      </button>
      <FormError message={formError(resend.error)} />
      {resend.isSuccess ? (
        <p className="saved" role="status">
          {resend.data.sent ? `We sent a new link to ${resend.data.email}.` : 'Your address is confirmed.'}
        </p>
      ) : null}
    </>
  );
}

export function AcceptInvitation({ token }: { token: string }) {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  const invitation = useQuery(trpc.members.invitation.queryOptions({ token }));
  const [switching, setSwitching] = useState(false);
  const accept = useMutation(
    trpc.members.accept.mutationOptions({
      onSuccess: (joined) => window.location.assign(`/o/${joined.org.slug}`),
    }),
  );

  if (invitation.isPending || me.isPending) return <Loading what="Loading the invitation" />;
  if (invitation.isError) {
    return (
      <>
        <h1>Invitation</h1>
        {isNotFound(invitation.error) ? (
          <p className="form-error" role="alert">
            This invitation link is not valid. It may have been replaced by a newer invitation or revoked; ask
            for a new one.
          </p>
        ) : (
          <ErrorState error={invitation.error} />
        )}
        <p>
          <Link href="/dashboard">Go to your dashboard</Link>
        </p>
      </>
    );
  }
  const { org, role, email, state, emailMatches, emailVerified } = invitation.data;

  async function switchAccount() {
    setSwitching(true);
    await signOut({ redirect: false });
    window.location.assign(
      `/signin?callbackUrl=${encodeURIComponent(`/invite/${encodeURIComponent(token)}`)}`,
    );
  }

  return (
    <>
      <h1>Join {org.name}</h1>
      {state === 'accepted' ? (
        <>
          <p>This invitation has already been used.</p>
          <p>
            <Link href={`/o/${org.slug}`}>Open {org.name}</Link> · <Link href="/dashboard">Dashboard</Link>
          </p>
        </>
      ) : state === 'expired' ? (
        <p className="form-error" role="alert">
          This invitation has expired. Ask a manager of {org.name} to invite you again.
        </p>
      ) : !emailMatches ? (
        <>
          <p>
            This invitation was sent to <strong>{email}</strong>, but you are signed in as{' '}
            <strong>{me.data?.email ?? 'another account'}</strong>.
          </p>
          <p className="muted">Sign in (or create an account) with {email} to accept it.</p>
          <button type="button" className="secondary" disabled={switching} onClick={switchAccount}>
            {switching ? 'Signing out…' : 'Use another account'}
          </button>
        </>
      ) : !emailVerified ? (
        <ConfirmFirst email={email} />
      ) : (
        <>
          <p>
            You are invited to join <strong>{org.name}</strong> as <span className="badge">{role}</span>.
          </p>
          <FormError message={formError(accept.error)} />
          <button
            type="button"
            disabled={accept.isPending || accept.isSuccess}
            onClick={() => accept.mutate({ token })}
          >
            {accept.isPending || accept.isSuccess ? 'Joining…' : 'Accept invitation'}
          </button>
        </>
      )}
    </>
  );
}
