'use client';

import Link from 'next/link';

/** Back link to the org home on org sub-pages. */
export function OrgCrumb({ slug, section }: { slug: string; section?: { label: string; href: string } }) {
  return (
    <nav className="crumbs" aria-label="Breadcrumb">
      <Link href={`/o/${slug}`}>{slug}</Link>
      {section ? (
        <>
          <span aria-hidden="true"> / </span>
          <Link href={section.href}>{section.label}</Link>
        </>
      ) : null}
    </nav>
  );
}
