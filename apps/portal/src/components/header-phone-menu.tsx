'use client';

import Link from 'next/link';
import { useState } from 'react';
import { OrgSwitcher } from './header-org-switcher';
import { ConfirmEmailLink, type NavItem, NavLinks, SignOutButton } from './header-parts';
import { Button } from './ui/button';
import { Drawer } from './ui/drawer';

function MenuIcon() {
  return (
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
  );
}

/** At phone width the links, organization switcher and account fold into a menu drawer. */
export function PhoneMenu({
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
          <MenuIcon />
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
