import { headerUser } from '@portcullis/services/verbs/account';
import type { ReactNode } from 'react';
import { Header, PublicHeader } from '~/components/header';
import { auth } from '~/server/auth';
import { serviceDb } from '~/server/db';

/**
 * The frame of the catalog pages, for a layout that lets signed-out visitors in (anonymous browsing):
 * signed in, the usual header; signed out, a bare one with sign-in links. What a visitor may see is
 * decided by the catalog procedures (apiVisibilityWhere), not by this frame.
 */
export async function CatalogShell({ children }: { children: ReactNode }) {
  const session = await auth();
  const userId = session?.user?.id;
  const user = userId ? await headerUser({ db: serviceDb(), actor: { id: userId } }) : null;
  return (
    <>
      {user ? (
        <Header
          email={user.email}
          isPlatformAdmin={user.isPlatformAdmin}
          emailVerified={user.emailVerified}
        />
      ) : (
        <PublicHeader />
      )}
      <main className="container min-w-0">{children}</main>
    </>
  );
}
