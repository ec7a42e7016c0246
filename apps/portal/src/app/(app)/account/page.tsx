'use client';

import { useQuery } from '@tanstack/react-query';
import { ErrorState, Loading } from '../../../components/form';
import { useTRPC } from '../../../trpc/client';
import { EmailCard } from './_components/email';
import { PasswordCard } from './_components/password';
import { EndUserSessionsCard, SessionsCard } from './_components/sessions';

/** The signed-in user's account: address (and its confirmation), password, sessions. */
export default function AccountPage() {
  const trpc = useTRPC();
  const profile = useQuery(trpc.account.profile.queryOptions());
  const admin = useQuery(trpc.settings.amIAdmin.queryOptions());
  if (profile.isPending) return <Loading what="Loading your account" />;
  if (profile.isError) return <ErrorState error={profile.error} />;
  return (
    <>
      <h1>Your account</h1>
      <EmailCard profile={profile.data} />
      <PasswordCard email={profile.data.email} hasPassword={profile.data.hasPassword} />
      <SessionsCard sessions={profile.data.sessions} />
      {admin.data ? <EndUserSessionsCard /> : null}
    </>
  );
}
