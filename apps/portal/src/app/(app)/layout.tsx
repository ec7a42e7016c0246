import { getDb } from '@portcullis/db';
import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { Header } from '../../components/header';
import { auth } from '../../server/auth';

/** Every page in this group needs a session; the proxy redirects first, this is the backstop. */
export default async function SignedInLayout({ children }: { children: ReactNode }) {
  const session = await auth();
  if (!session?.user?.id) redirect('/signin');
  const user = await getDb().user.findUnique({
    where: { id: session.user.id },
    select: { email: true, isPlatformAdmin: true, emailVerified: true },
  });
  if (!user) redirect('/signin');
  return (
    <>
      <Header
        email={user.email}
        isPlatformAdmin={user.isPlatformAdmin}
        emailVerified={user.emailVerified !== null}
      />
      <main className="container">{children}</main>
    </>
  );
}
