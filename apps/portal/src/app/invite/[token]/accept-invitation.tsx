'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { signOut } from 'next-auth/react';
import { useState } from 'react';
import { Badge } from '~/components/ui/badge';
import { Button } from '~/components/ui/button';
import { FormMessage } from '~/components/ui/field';
import { QueryState } from '~/components/ui/query-state';
import { formError, isNotFound, useTRPC } from '~/trpc/client';
import { ConfirmFirst } from './confirm-first';
import { InvalidInvitation } from './invalid-invitation';

/** Signed in with another address: sign out and come back to this link with the right account. */
function OtherAccount({ token, email, signedInAs }: { token: string; email: string; signedInAs: string }) {
  const [switching, setSwitching] = useState(false);
  async function switchAccount() {
    setSwitching(true);
    await signOut({ redirect: false });
    window.location.assign(
      `/signin?callbackUrl=${encodeURIComponent(`/invite/${encodeURIComponent(token)}`)}`,
    );
  }
  return (
    <>
      <p>
        This invitation was sent to <strong>{email}</strong>, but you are signed in as{' '}
        <strong>{signedInAs}</strong>.
      </p>
      <p className="muted">Sign in (or create an account) with {email} to accept it.</p>
      <Button variant="secondary" disabled={switching} onClick={switchAccount}>
        {switching ? 'Signing out…' : 'Use another account'}
      </Button>
    </>
  );
}

function Accept({ token, orgName, role }: { token: string; orgName: string; role: string }) {
  const trpc = useTRPC();
  const accept = useMutation(
    trpc.members.accept.mutationOptions({
      onSuccess: (joined) => window.location.assign(`/o/${joined.org.slug}`),
    }),
  );
  const joining = accept.isPending || accept.isSuccess;
  return (
    <>
      <p>
        You are invited to join <strong>{orgName}</strong> as <Badge>{role}</Badge>.
      </p>
      <FormMessage message={formError(accept.error)} />
      <Button disabled={joining} onClick={() => accept.mutate({ token })}>
        {joining ? 'Joining…' : 'Accept invitation'}
      </Button>
    </>
  );
}

/** An invitation link opened signed in: accept it, or what stands in the way. */
export function AcceptInvitation({ token }: { token: string }) {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  const invitation = useQuery(trpc.members.invitation.queryOptions({ token }));
  if (invitation.data === undefined && invitation.isError) {
    return (
      <>
        <h1>Invitation</h1>
        {isNotFound(invitation.error) ? (
          <InvalidInvitation />
        ) : (
          <QueryState query={invitation}>{() => null}</QueryState>
        )}
        <p>
          <Link href="/dashboard">Go to your dashboard</Link>
        </p>
      </>
    );
  }
  return (
    <QueryState query={invitation} pendingLabel="Loading the invitation">
      {({ org, role, email, state, emailMatches, emailVerified }) => (
        <>
          <h1>Join {org.name}</h1>
          {state === 'accepted' ? (
            <>
              <p>This invitation has already been used.</p>
              <p>
                <Link href={`/o/${org.slug}`}>Open {org.name}</Link> ·{' '}
                <Link href="/dashboard">Dashboard</Link>
              </p>
            </>
          ) : state === 'expired' ? (
            <p className="form-error" role="alert">
              This invitation has expired. Ask a manager of {org.name} to invite you again.
            </p>
          ) : !emailMatches ? (
            <OtherAccount token={token} email={email} signedInAs={me.data?.email ?? 'another account'} />
          ) : !emailVerified ? (
            <ConfirmFirst email={email} />
          ) : (
            <Accept token={token} orgName={org.name} role={role} />
          )}
        </>
      )}
    </QueryState>
  );
}
