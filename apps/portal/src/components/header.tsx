'use client';

import Link from 'next/link';
import { useState } from 'react';
import { type NavItem, NavLinks, NotificationsBell, OrgSwitcher, SignOutButton } from './header-parts';
import { Badge } from './ui/badge';
import { Button } from './ui/button';
import { Drawer } from './ui/drawer';

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

function ConfirmEmailLink() {
  return (
    <Link href="/account" className="no-underline">
      <Badge tone="warn">Confirm your email</Badge>
    </Link>
  );
}

/** At phone width the links, organization switcher and account fold into a menu drawer. */
function PhoneMenu({
  items,
  email,
  emailVerified,
}: {
  items: NavItem[];
  email: string;
  emailVerified: boolean;
}) {
  const [open, setOpen] = useState(false);
  const close = () => setOpen(false);
  return (
    <Drawer
      open={open}
      onOpenChange={setOpen}
      title="Menu"
      side="right"
      className="w-[min(20rem,100vw)]"
      trigger={
        <Button variant="secondary" size="sm" className="wide:hidden" aria-label="Menu">
          <svg
            aria-hidden="true"
            width="18"
            height="18"
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            strokeWidth="2"
          >
            <path d="M4 6h16M4 12h16M4 18h16" strokeLinecap="round" />
          </svg>
        </Button>
      }
    >
      <nav aria-label="Main">
        <NavLinks items={items} onNavigate={close} className="m-0 mb-4 flex list-none flex-col gap-1 p-0" />
      </nav>
      <div className="mb-4">
        <OrgSwitcher id="org-switcher-menu" onSwitch={close} />
      </div>
      <p className="m-0 mb-1 text-sm text-muted">Signed in as</p>
      <p className="m-0 mb-3 break-all">
        <Link href="/account" onClick={close}>
          {email}
        </Link>
      </p>
      {emailVerified ? null : (
        <p className="m-0 mb-3">
          <ConfirmEmailLink />
        </p>
      )}
      <SignOutButton className="self-start" />
    </Drawer>
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
  const items = navItems(isPlatformAdmin);
  return (
    <header className="site-header border-b border-line bg-surface print:hidden">
      <div className="mx-auto flex max-w-7xl min-w-0 items-center gap-x-4 gap-y-2 px-4 py-2.5">
        <Link href="/dashboard" className="shrink-0 font-bold text-fg no-underline">
          Portcullis
        </Link>
        <nav aria-label="Main" className="phone:hidden">
          <NavLinks items={items} className="m-0 flex list-none flex-wrap items-center gap-1 p-0" />
        </nav>
        <div className="ml-auto flex min-w-0 items-center gap-3">
          <div className="phone:hidden">
            <OrgSwitcher id="org-switcher" />
          </div>
          <NotificationsBell />
          <Link
            href="/account"
            className="max-w-[18rem] truncate text-muted phone:hidden"
            title="Your account"
          >
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
      </div>
    </header>
  );
}
