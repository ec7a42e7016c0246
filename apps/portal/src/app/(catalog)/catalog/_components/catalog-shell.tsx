import { isPlatformAdmin } from '@portcullis/services/verbs/settings';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { Header } from '../../../../components/header';
import { auth } from '../../../../server/auth';
import { serviceDb } from '../../../../server/db';

/**
 * The frame of the catalog pages, for a layout that lets signed-out visitors in (anonymous browsing):
 * signed in, the usual header; signed out, a bare one with sign-in links. What a visitor may see is
 * decided by the catalog procedures (apiVisibilityWhere), not by this frame.
 */
export async function CatalogShell({ children }: { children: ReactNode }) {
  const session = await auth();
  const userId = session?.user?.id;
  return (
    <>
      {userId ? (
        <Header
          email={session.user.email ?? ''}
          isPlatformAdmin={await isPlatformAdmin({ db: serviceDb(), actor: { id: userId } })}
        />
      ) : (
        <header className="site-header">
          <nav className="nav" aria-label="Main">
            <Link href="/catalog" className="brand">
              Portcullis
            </Link>
            <Link href="/catalog">Catalog</Link>
          </nav>
          <div className="account">
            <Link href="/signin?callbackUrl=%2Fcatalog">Sign in</Link>
            <Link href="/signup" className="button">
              Create account
            </Link>
          </div>
        </header>
      )}
      <main className="container">{children}</main>
    </>
  );
}
