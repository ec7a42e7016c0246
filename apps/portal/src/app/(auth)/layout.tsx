import Link from 'next/link';
import type { ReactNode } from 'react';

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <div className="auth-shell">
      <Link href="/" className="brand auth-brand">
        Portcullis
      </Link>
      <main className="card auth-card">{children}</main>
    </div>
  );
}
