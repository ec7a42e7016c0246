import { isPlatformAdmin } from '@portcullis/core/verbs/settings';
import { getDb } from '@portcullis/db';
import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { Header } from '../../components/header';
import { auth } from '../../server/auth';

/** Every page in this group needs a session; the proxy redirects first, this is the backstop. */
export default async function SignedInLayout({ children }: { children: ReactNode }) {
  const session = await auth();
  if (!session?.user?.id) redirect('/signin');
  return (
    <>
      <Header
        email={session.user.email ?? ''}
        isPlatformAdmin={await isPlatformAdmin({ db: getDb(), actor: { id: session.user.id } })}
      />
      <main className="container">{children}</main>
    </>
  );
}
