'use client';

import { useQuery } from '@tanstack/react-query';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';
import { EmailCard } from './_components/email';
import { PasswordCard } from './_components/password';
import { EndUserSessionsCard, SessionsCard } from './_components/sessions';

/** The signed-in user's account: address (and its confirmation), password, sessions. */
export default function AccountPage() {
  const trpc = useTRPC();
  const profile = useQuery(trpc.account.profile.queryOptions());
  const admin = useQuery(trpc.settings.amIAdmin.queryOptions());
  return (
    <QueryState query={profile} pendingLabel="Loading your account">
      {(data) => (
        <>
          <h1>Your account</h1>
          <EmailCard profile={data} />
          <PasswordCard email={data.email} hasPassword={data.hasPassword} />
          <SessionsCard sessions={data.sessions} />
          {admin.data ? <EndUserSessionsCard /> : null}
        </>
      )}
    </QueryState>
  );
}
