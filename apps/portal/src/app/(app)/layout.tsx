import { headerUser } from '@portcullis/services/verbs/account';
import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { Header } from '~/components/header';
import { auth } from '~/server/auth';
import { serviceDb } from '~/server/db';

/** Every page in this group needs a session; the proxy redirects first, this is the backstop. */
export default async function SignedInLayout({ children }: { children: ReactNode }) {
  const session = await auth();
  if (!session?.user?.id) redirect('/signin');
  const user = await headerUser({ db: serviceDb(), actor: { id: session.user.id } });
  if (!user) redirect('/signin');
  return (
    <>
      <Header email={user.email} isPlatformAdmin={user.isPlatformAdmin} emailVerified={user.emailVerified} />
      <main className="container max-w-7xl min-w-0">{children}</main>
    </>
  );
}
