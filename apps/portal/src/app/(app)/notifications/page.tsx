'use client';

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { Button } from '~/components/ui/button';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';
import { NotificationItem } from './_components/notification-item';

export default function NotificationsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const admin = useQuery(trpc.settings.amIAdmin.queryOptions());
  const list = useInfiniteQuery(
    trpc.account.notifications.infiniteQueryOptions(
      { unreadOnly, limit: 30 },
      { getNextPageParam: (page) => page.nextCursor ?? undefined },
    ),
  );
  const refresh = async () => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.account.notifications.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.account.unreadCount.queryKey() }),
    ]);
  };
  const markAll = useMutation(trpc.account.markRead.mutationOptions({ onSuccess: refresh }));
  const rows = list.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <>
      <div className="page-head">
        <h1>Notifications</h1>
        <Button
          variant="secondary"
          disabled={markAll.isPending || rows.every((r) => r.readAt !== null)}
          onClick={() => markAll.mutate({})}
        >
          Mark all as read
        </Button>
      </div>
      <div className="checkbox">
        <input
          id="unread-only"
          type="checkbox"
          checked={unreadOnly}
          onChange={(e) => setUnreadOnly(e.target.checked)}
        />
        <label htmlFor="unread-only">Unread only</label>
      </div>
      {admin.data ? (
        <p className="muted">
          Mail that could not go out (no mail server configured) is listed on the{' '}
          <Link href="/outbox">outbox</Link> page.
        </p>
      ) : null}
      <QueryState
        query={list}
        pendingLabel="Loading notifications"
        isEmpty={(data) => data.pages.every((page) => page.items.length === 0)}
        empty={
          <EmptyState
            title={unreadOnly ? 'Nothing unread.' : 'No notifications yet.'}
            description="Approvals, role changes and other events that concern you appear here."
          />
        }
      >
        {() => (
          <section className="card">
            <ul className="list" aria-label="Notifications">
              {rows.map((row) => (
                <NotificationItem key={row.id} row={row} onChanged={refresh} />
              ))}
            </ul>
            {list.hasNextPage ? (
              <Button
                variant="secondary"
                className="mt-3"
                disabled={list.isFetchingNextPage}
                onClick={() => list.fetchNextPage()}
              >
                {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </Button>
            ) : null}
          </section>
        )}
      </QueryState>
    </>
  );
}
