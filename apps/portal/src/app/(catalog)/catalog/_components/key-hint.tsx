'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { Badge } from '~/components/ui/badge';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';
import { callWord, subscriptionState } from '../_lib/subscription-state';

/** Which apps of the viewer may call this API, and the hints of their keys (never the keys). */
export function KeyHint({ orgSlug, apiSlug }: { orgSlug: string; apiSlug: string }) {
  const trpc = useTRPC();
  const apps = useQuery(trpc.catalog.myApps.queryOptions({ orgSlug, apiSlug }));
  return (
    <QueryState
      query={apps}
      pendingLabel="Looking for your apps"
      isEmpty={(data) => data.length === 0}
      empty={
        <p className="muted">
          None of your apps is subscribed yet: subscribe one of them to a plan below, then create a key on its
          page.
        </p>
      }
    >
      {(data) => (
        <ul className="list" aria-label="Subscribed with">
          {data.map((app) => (
            <li key={app.appId}>
              <Link href={`/o/${app.orgSlug}/apps/${app.appId}`}>{app.appName}</Link>
              <Badge tone={subscriptionState(app).tone}>{callWord(app)}</Badge>
              <span className="muted [overflow-wrap:anywhere]">
                {app.keys.length === 0
                  ? 'no live keys'
                  : app.keys.map((k) => `${k.name} (${k.prefix}…${k.last4})`).join(', ')}
              </span>
            </li>
          ))}
        </ul>
      )}
    </QueryState>
  );
}
