'use client';

import Link from 'next/link';
import { useParams, useSearchParams } from 'next/navigation';
import { OrgCrumb } from '~/components/org-crumb';
import { CallLogSection } from './_components/call-log';
import { CredentialsSection } from './_components/credentials';
import { PricesSection } from './_components/prices';

const TABS = [
  { key: 'credentials', label: 'Provider credentials' },
  { key: 'prices', label: 'Price table' },
  { key: 'calls', label: 'Call log & usage' },
] as const;
type Tab = (typeof TABS)[number]['key'];

/** The org's AI gateway settings: provider accounts, model prices, and what the AI APIs were called for. */
export default function OrgAiPage() {
  const { slug } = useParams<{ slug: string }>();
  // The tab is in the URL (?tab=…): linkable, and kept on reload.
  const requested = useSearchParams().get('tab');
  const tab: Tab = TABS.find((t) => t.key === requested)?.key ?? 'credentials';
  return (
    <>
      <OrgCrumb slug={slug} section={{ label: 'AI gateway', href: `/o/${slug}/ai` }} />
      <div className="page-head">
        <h1>AI gateway</h1>
      </div>
      <nav className="tabs" aria-label="AI gateway sections">
        {TABS.map((t) => (
          <Link
            key={t.key}
            className="tab"
            href={`/o/${slug}/ai${t.key === 'credentials' ? '' : `?tab=${t.key}`}`}
            aria-current={t.key === tab ? 'page' : undefined}
          >
            {t.label}
          </Link>
        ))}
      </nav>
      {tab === 'credentials' ? <CredentialsSection orgSlug={slug} /> : null}
      {tab === 'prices' ? <PricesSection orgSlug={slug} /> : null}
      {tab === 'calls' ? <CallLogSection orgSlug={slug} /> : null}
    </>
  );
}
