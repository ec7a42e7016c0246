'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { Badge } from '~/components/ui/badge';
import { QueryState } from '~/components/ui/query-state';
import { can, type Permission } from '~/server/permissions';
import { useTRPC } from '~/trpc/client';

interface Tile {
  path: string;
  label: string;
  text: string;
  /** Needed to open the page at all; without it the tile says who may. */
  needs?: { permission: Permission; who: string };
}

const TILES: readonly Tile[] = [
  { path: 'apis', label: 'APIs', text: 'Publish APIs and define their plans.' },
  { path: 'apps', label: 'Apps', text: 'Your applications, subscriptions and keys.' },
  {
    path: 'ai',
    label: 'AI gateway',
    text: 'Provider credentials, model prices, AI call log and token usage.',
  },
  { path: 'analytics', label: 'Analytics', text: 'Traffic, errors, latency and quota burn-down.' },
  {
    path: 'alerts',
    label: 'Usage alerts',
    text: 'A notification and a mail when usage passes a threshold you set.',
  },
  { path: 'logs', label: 'Request logs', text: 'Every call through the gateway, filterable and exportable.' },
  {
    path: 'audit',
    label: 'Audit log',
    text: 'Every change, with who made it and what it changed.',
    needs: { permission: 'audit.read', who: 'Owners and admins only.' },
  },
  { path: 'members', label: 'Members', text: 'Invite teammates and manage their roles.' },
  { path: 'billing', label: 'Billing', text: "Usage, invoices and your APIs' revenue." },
  {
    path: 'settings/stripe',
    label: 'Stripe',
    text: 'Connect Stripe to collect payments; pay your providers.',
  },
  { path: 'approvals', label: 'Approvals', text: 'Subscription requests waiting for your decision.' },
  {
    path: 'settings/api-tokens',
    label: 'API tokens',
    text: 'Tokens to automate this organization through the management API.',
    needs: { permission: 'member.manage', who: 'Owners and admins only.' },
  },
];

export default function OrgHomePage() {
  const { slug } = useParams<{ slug: string }>();
  const trpc = useTRPC();
  const org = useQuery(trpc.org.get.queryOptions({ orgSlug: slug }));
  return (
    <QueryState query={org} pendingLabel="Loading organization">
      {(data) => (
        <>
          <div className="page-head">
            <h1>{data.name}</h1>
            <p className="text-muted">
              Your role: <Badge>{data.role}</Badge>
            </p>
          </div>
          <ul className="tiles">
            {TILES.map((tile) => {
              const locked = tile.needs && !can(data.role, tile.needs.permission);
              return (
                <li key={tile.path}>
                  {locked ? (
                    <span className="tile text-muted">{tile.label}</span>
                  ) : (
                    <Link href={`/o/${slug}/${tile.path}`} className="tile">
                      {tile.label}
                    </Link>
                  )}
                  <p className="text-muted">
                    {tile.text}
                    {locked ? <strong className="block">{tile.needs?.who}</strong> : null}
                  </p>
                </li>
              );
            })}
          </ul>
        </>
      )}
    </QueryState>
  );
}
