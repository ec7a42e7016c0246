'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { signOut } from 'next-auth/react';
import { useState } from 'react';
import { useTRPC } from '../trpc/client';

/** `/o/<slug>/…` → slug, else null. */
function currentOrgSlug(pathname: string | null): string | null {
  const match = pathname?.match(/^\/o\/([^/]+)/);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

function OrgSwitcher() {
  const trpc = useTRPC();
  const router = useRouter();
  const slug = currentOrgSlug(usePathname());
  const orgs = useQuery(trpc.org.listMine.queryOptions());
  if (!orgs.data || orgs.data.length === 0) return null;
  const known = orgs.data.some((org) => org.slug === slug);
  return (
    <div className="org-switcher">
      <label htmlFor="org-switcher" className="visually-hidden">
        Organization
      </label>
      <select
        id="org-switcher"
        value={known && slug ? slug : ''}
        style={{ maxWidth: '14rem' }}
        onChange={(e) => {
          if (e.target.value) router.push(`/o/${encodeURIComponent(e.target.value)}`);
        }}
      >
        {known ? null : (
          <option value="" disabled>
            Switch organization…
          </option>
        )}
        {orgs.data.map((org) => (
          <option key={org.id} value={org.slug}>
            {org.name}
          </option>
        ))}
      </select>
    </div>
  );
}

function NotificationsBell() {
  const trpc = useTRPC();
  const unread = useQuery({ ...trpc.account.unreadCount.queryOptions(), refetchInterval: 30_000 });
  const count = unread.data ?? 0;
  const label = count === 0 ? 'Notifications' : `Notifications, ${count} unread`;
  return (
    <Link
      href="/notifications"
      aria-label={label}
      title={label}
      style={{ display: 'inline-flex', alignItems: 'center', gap: '0.25rem' }}
    >
      <svg
        aria-hidden="true"
        width="20"
        height="20"
        viewBox="0 0 24 24"
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
      >
        <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" strokeLinecap="round" strokeLinejoin="round" />
        <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
      {count > 0 ? (
        <span className="badge status-pending" aria-hidden="true" data-testid="unread-count">
          {count > 99 ? '99+' : count}
        </span>
      ) : null}
    </Link>
  );
}

export function Header({
  email,
  isPlatformAdmin = false,
  emailVerified = true,
}: {
  email: string;
  isPlatformAdmin?: boolean;
  emailVerified?: boolean;
}) {
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
        {isPlatformAdmin ? <Link href="/outbox">Outbox</Link> : null}
      </nav>
      <div className="account" style={{ flexWrap: 'wrap' }}>
        <OrgSwitcher />
        <NotificationsBell />
        <Link href="/account" className="muted email" title="Your account">
          {email}
        </Link>
        {emailVerified ? null : (
          <Link href="/account" className="badge status-pending">
            Confirm your email
          </Link>
        )}
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
