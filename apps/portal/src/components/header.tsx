'use client';

import Link from 'next/link';
import type { ReactNode } from 'react';
import { cn } from '~/lib/cn';
import { OrgSwitcher } from './header-org-switcher';
import { ConfirmEmailLink, type NavItem, NavLinks, NotificationsBell, SignOutButton } from './header-parts';
import { PhoneMenu } from './header-phone-menu';
import { buttonClasses } from './ui/button-classes';

function navItems(isPlatformAdmin: boolean): NavItem[] {
  return [
    { href: '/dashboard', label: 'Dashboard' },
    { href: '/catalog', label: 'Catalog' },
    ...(isPlatformAdmin
      ? [
          { href: '/admin', label: 'Admin' },
          { href: '/outbox', label: 'Outbox' },
        ]
      : []),
  ];
}

/** The header's frame: the brand, then the main links and what sits on the right. */
function HeaderFrame({ home, wrap, children }: { home: string; wrap?: boolean; children: ReactNode }) {
  return (
    <header className="site-header border-b border-line bg-surface print:hidden">
      <div
        className={cn(
          'mx-auto flex max-w-7xl min-w-0 items-center gap-x-4 gap-y-2 px-4 py-2.5',
          wrap && 'flex-wrap',
        )}
      >
        <Link href={home} className="shrink-0 font-bold text-fg no-underline">
          Portcullis
        </Link>
        {children}
      </div>
    </header>
  );
}

/** The signed-in header; at phone width its links and account fold into the "Menu" drawer. */
export function Header({
  email,
  isPlatformAdmin = false,
  emailVerified = true,
}: {
  email: string;
  isPlatformAdmin?: boolean;
  emailVerified?: boolean;
}) {
  const items = navItems(isPlatformAdmin);
  return (
    <HeaderFrame home="/dashboard">
      <nav aria-label="Main" className="phone:hidden">
        <NavLinks items={items} className="m-0 flex list-none flex-wrap items-center gap-1 p-0" />
      </nav>
      <div className="ml-auto flex min-w-0 items-center gap-3">
        <div className="phone:hidden">
          <OrgSwitcher id="org-switcher" />
        </div>
        <NotificationsBell />
        <Link href="/account" className="max-w-[18rem] truncate text-muted phone:hidden" title="Your account">
          {email}
        </Link>
        {emailVerified ? null : (
          <span className="phone:hidden">
            <ConfirmEmailLink />
          </span>
        )}
        <SignOutButton className="phone:hidden" />
        <PhoneMenu items={items} email={email} emailVerified={emailVerified} />
      </div>
    </HeaderFrame>
  );
}

/** The header of signed-out visitors (the public catalog): the catalog, and the ways in. */
export function PublicHeader({ back = '/catalog' }: { back?: string }) {
  return (
    <HeaderFrame home="/catalog" wrap>
      <nav aria-label="Main">
        <NavLinks
          items={[{ href: '/catalog', label: 'Catalog' }]}
          className="m-0 flex list-none items-center gap-1 p-0"
        />
      </nav>
      <div className="ml-auto flex min-w-0 flex-wrap items-center justify-end gap-3">
        <Link href={`/signin?callbackUrl=${encodeURIComponent(back)}`}>Sign in</Link>
        <Link href="/signup" className={buttonClasses('primary', 'sm')}>
          Create account
        </Link>
      </div>
    </HeaderFrame>
  );
}
