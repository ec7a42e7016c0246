'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';
import { SubscriptionItem } from './subscription-item';

/** The app's subscriptions: status, usage, deprecation notices and the consumer's cancel. */
export function Subscriptions({
  orgSlug,
  appId,
  canCancel,
  readOnlyNote,
}: {
  orgSlug: string;
  appId: string;
  canCancel: boolean;
  /** Shown when the viewer's role may not cancel subscriptions. */
  readOnlyNote: string | null;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const subs = useQuery(trpc.subscription.listMine.queryOptions({ orgSlug, appId }));
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.subscription.listMine.queryKey({ orgSlug, appId }) });
  return (
    <section className="card min-w-0" aria-labelledby="subscriptions-title">
      <h2 id="subscriptions-title">Subscriptions</h2>
      <QueryState
        query={subs}
        pendingLabel="Loading subscriptions"
        isEmpty={(rows) => rows.length === 0}
        empty={
          <EmptyState
            title="No subscriptions yet"
            description={
              canCancel
                ? "Find an API in the catalog and subscribe this app to call it with the app's keys."
                : 'Subscriptions of this app appear here once it is subscribed to an API.'
            }
            action={{ label: 'Browse the catalog', href: '/catalog' }}
          />
        }
      >
        {(rows) => (
          <>
            {readOnlyNote ? (
              <p className="text-muted" data-testid="subscriptions-read-only">
                {readOnlyNote}
              </p>
            ) : null}
            <ul className="m-0 list-none p-0" aria-label="Subscriptions">
              {rows.map((sub) => (
                <SubscriptionItem
                  key={sub.id}
                  orgSlug={orgSlug}
                  sub={sub}
                  canCancel={canCancel}
                  onChanged={refresh}
                />
              ))}
            </ul>
          </>
        )}
      </QueryState>
    </section>
  );
}
