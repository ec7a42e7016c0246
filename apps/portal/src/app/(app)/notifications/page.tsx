'use client';

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { Button } from '~/components/ui/button';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { Tabs } from '~/components/ui/tabs';
import { useTRPC } from '~/trpc/client';
import { NotificationItem } from './_components/notification-item';

function NotificationList({
  unreadOnly,
  onChanged,
}: {
  unreadOnly: boolean;
  onChanged: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const list = useInfiniteQuery(
    trpc.account.notifications.infiniteQueryOptions(
      { unreadOnly, limit: 30 },
      { getNextPageParam: (page) => page.nextCursor ?? undefined },
    ),
  );
  return (
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
      {(data) => (
        <section className="card">
          <ul className="list" aria-label="Notifications">
            {data.pages
              .flatMap((page) => page.items)
              .map((row) => (
                <NotificationItem key={row.id} row={row} onChanged={onChanged} />
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
  );
}

export default function NotificationsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [view, setView] = useState('all');
  const admin = useQuery(trpc.settings.amIAdmin.queryOptions());
  const unread = useQuery(trpc.account.unreadCount.queryOptions());
  const refresh = async () => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.account.notifications.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.account.unreadCount.queryKey() }),
    ]);
  };
  const markAll = useMutation(trpc.account.markRead.mutationOptions({ onSuccess: refresh }));
  return (
    <>
      <div className="page-head">
        <h1>Notifications</h1>
        <Button
          variant="secondary"
          disabled={markAll.isPending || (unread.data ?? 0) === 0}
          onClick={() => markAll.mutate({})}
        >
          Mark all as read
        </Button>
      </div>
      {admin.data ? (
        <p className="muted">
          Mail that could not go out (no mail server configured) is listed on the{' '}
          <Link href="/outbox">outbox</Link> page.
        </p>
      ) : null}
      <Tabs
        label="Which notifications"
        value={view}
        onValueChange={setView}
        tabs={[
          {
            value: 'all',
            label: 'All',
            content: <NotificationList unreadOnly={false} onChanged={refresh} />,
          },
          {
            value: 'unread',
            label: unread.data ? `Unread (${unread.data})` : 'Unread',
            content: <NotificationList unreadOnly onChanged={refresh} />,
          },
        ]}
      />
    </>
  );
}
