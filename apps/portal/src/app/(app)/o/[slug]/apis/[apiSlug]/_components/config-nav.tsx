'use client';

import Link from 'next/link';

const SECTIONS = [
  { key: 'overview', label: 'Overview', path: '' },
  { key: 'policies', label: 'Policies', path: '/policies' },
  { key: 'upstream', label: 'Upstream', path: '/upstream' },
  { key: 'versions', label: 'Versions & changelog', path: '/versions' },
] as const;

/** Tabs between an API's overview and its configuration sub-pages. */
export function ApiConfigNav({
  orgSlug,
  apiSlug,
  current,
}: {
  orgSlug: string;
  apiSlug: string;
  current: (typeof SECTIONS)[number]['key'];
}) {
  return (
    <nav className="tabs" aria-label="API sections">
      {SECTIONS.map((section) => (
        <Link
          key={section.key}
          className="tab"
          href={`/o/${orgSlug}/apis/${apiSlug}${section.path}`}
          aria-current={section.key === current ? 'page' : undefined}
        >
          {section.label}
        </Link>
      ))}
    </nav>
  );
}
