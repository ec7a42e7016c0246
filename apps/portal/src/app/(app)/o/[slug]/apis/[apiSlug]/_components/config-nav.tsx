'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useTRPC } from '../../../../../../../trpc/client';

type Kind = 'REST' | 'AI' | 'PROMPT' | 'MCP';

const SECTIONS: ReadonlyArray<{ key: string; label: string; path: string; kinds?: readonly Kind[] }> = [
  { key: 'overview', label: 'Overview', path: '' },
  { key: 'ai', label: 'Model routes', path: '/ai', kinds: ['AI'] },
  { key: 'prompt', label: 'Prompt', path: '/prompt', kinds: ['PROMPT'] },
  { key: 'policies', label: 'Policies', path: '/policies' },
  { key: 'openapi', label: 'OpenAPI', path: '/openapi' },
  { key: 'upstream', label: 'Upstream', path: '/upstream', kinds: ['REST', 'MCP'] },
  { key: 'mcp', label: 'MCP', path: '/mcp' },
  { key: 'versions', label: 'Versions & changelog', path: '/versions' },
];

/** Tabs between an API's overview and its configuration sub-pages (the AI/prompt ones for those kinds). */
export function ApiConfigNav({
  orgSlug,
  apiSlug,
  current,
}: {
  orgSlug: string;
  apiSlug: string;
  current: 'overview' | 'ai' | 'prompt' | 'policies' | 'openapi' | 'upstream' | 'mcp' | 'versions';
}) {
  const trpc = useTRPC();
  const kind = useQuery(trpc.ai.apiKind.queryOptions({ orgSlug, apiSlug })).data?.kind;
  return (
    <nav className="tabs" aria-label="API sections">
      {SECTIONS.filter((s) => !s.kinds || (kind ? s.kinds.includes(kind) : s.key === current)).map(
        (section) => (
          <Link
            key={section.key}
            className="tab"
            href={`/o/${orgSlug}/apis/${apiSlug}${section.path}`}
            aria-current={section.key === current ? 'page' : undefined}
          >
            {section.label}
          </Link>
        ),
      )}
    </nav>
  );
}
