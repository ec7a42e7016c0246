'use client';

import Link from 'next/link';
import { signOut } from 'next-auth/react';
import { useState } from 'react';

export function Header({ email, isPlatformAdmin = false }: { email: string; isPlatformAdmin?: boolean }) {
  const [signingOut, setSigningOut] = useState(false);
  return (
    <header className="site-header">
      <nav className="nav" aria-label="Main">
        <Link href="/dashboard" className="brand">
          Portcullis
        </Link>
        <Link href="/dashboard">Dashboard</Link>
        <Link href="/catalog">Catalog</Link>
        {isPlatformAdmin ? <Link href="/admin">Admin</Link> : null}
      </nav>
      <div className="account">
        <span className="muted email">{email}</span>
        <button
          type="button"
          className="secondary"
          disabled={signingOut}
          onClick={async () => {
            setSigningOut(true);
            await signOut({ redirect: false });
            window.location.assign('/signin');
          }}
        >
          Sign out
        </button>
      </div>
    </header>
  );
}
