'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { signOut } from 'next-auth/react';
import { useState } from 'react';
import { useTRPC } from '~/trpc/client';
import { isCurrentSection } from './header-org';
import { Badge } from './ui/badge';
import { Button } from './ui/button';

/** The way to the notifications, with the unread count (polled). */
export function NotificationsBell() {
  const trpc = useTRPC();
  const unread = useQuery({ ...trpc.account.unreadCount.queryOptions(), refetchInterval: 30_000 });
  const count = unread.data ?? 0;
  const label = count === 0 ? 'Notifications' : `Notifications, ${count} unread`;
  return (
    <Link
      href="/notifications"
      aria-label={label}
      title={label}
      className="inline-flex items-center gap-1 rounded-md p-1.5 text-fg hover:bg-page"
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
        <Badge tone="warn" aria-hidden="true" data-testid="unread-count">
          {count > 99 ? '99+' : count}
        </Badge>
      ) : null}
    </Link>
  );
}

/** Ends the session and opens the sign-in page. */
export function SignOutButton({ className }: { className?: string }) {
  const [signingOut, setSigningOut] = useState(false);
  return (
    <Button
      variant="secondary"
      className={className}
      disabled={signingOut}
      onClick={async () => {
        setSigningOut(true);
        await signOut({ redirect: false });
        window.location.assign('/signin');
      }}
    >
      Sign out
    </Button>
  );
}

export interface NavItem {
  href: string;
  label: string;
}

/** The main links; the current section is marked for screen readers and by an underline. */
export function NavLinks({
  items,
  className,
  onNavigate,
}: {
  items: NavItem[];
  className?: string;
  onNavigate?: () => void;
}) {
  const pathname = usePathname() ?? '';
  return (
    <ul className={className}>
      {items.map((item) => {
        const current = isCurrentSection(pathname, item.href);
        return (
          <li key={item.href}>
            <Link
              href={item.href}
              aria-current={current ? 'page' : undefined}
              onClick={onNavigate}
              className="block rounded-md px-2 py-1.5 font-medium no-underline hover:bg-page aria-[current=page]:text-fg aria-[current=page]:underline"
            >
              {item.label}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}

/** Shown until the account's address is confirmed: leads to the account page, which resends the link. */
export function ConfirmEmailLink() {
  return (
    <Link href="/account" className="no-underline">
      <Badge tone="warn">Confirm your email</Badge>
    </Link>
  );
}
