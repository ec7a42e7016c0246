'use client';

import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { ErrorState, Loading } from '../../../components/form';
import { useTRPC } from '../../../trpc/client';
import { safeCallbackUrl } from '../../(auth)/safe-callback';

const formatDate = (date: Date) =>
  new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(date);

interface NotificationRow {
  id: string;
  title: string;
  body: string;
  link: string | null;
  readAt: Date | null;
  createdAt: Date;
}

function NotificationItem({ row, onChanged }: { row: NotificationRow; onChanged: () => Promise<void> }) {
  const trpc = useTRPC();
  const mark = useMutation(trpc.account.markRead.mutationOptions({ onSuccess: onChanged }));
  const unread = row.readAt === null;
  // Links are portal paths written by the server; anything else is shown without a link.
  const href = row.link ? safeCallbackUrl(row.link, '') : '';
  return (
    <li className="sub" style={unread ? { fontWeight: 600 } : undefined}>
      <div style={{ minWidth: 0, flex: '1 1 16rem' }}>
        {unread ? <span className="visually-hidden">Unread: </span> : null}
        {href ? (
          <Link href={href} onClick={() => unread && mark.mutate({ ids: [row.id] })}>
            {row.title}
          </Link>
        ) : (
          row.title
        )}
        {row.body ? (
          <p className="muted" style={{ margin: 0, fontWeight: 400 }}>
            {row.body}
          </p>
        ) : null}
        <p className="hint">{formatDate(row.createdAt)}</p>
      </div>
      <button
        type="button"
        className="secondary"
        style={{ marginBottom: 0 }}
        disabled={mark.isPending}
        onClick={() => mark.mutate({ ids: [row.id], read: unread })}
        aria-label={`${unread ? 'Mark as read' : 'Mark as unread'}: ${row.title}`}
      >
        {unread ? 'Mark read' : 'Mark unread'}
      </button>
    </li>
  );
}

export default function NotificationsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [unreadOnly, setUnreadOnly] = useState(false);
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
        <button
          type="button"
          className="secondary"
          disabled={markAll.isPending || rows.every((r) => r.readAt !== null)}
          onClick={() => markAll.mutate({})}
        >
          Mark all as read
        </button>
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
      <p className="muted">
        Mail sent to you is listed on the <Link href="/outbox">outbox</Link> page when no mail server is
        configured.
      </p>
      {list.isPending ? (
        <Loading what="Loading notifications" />
      ) : list.isError ? (
        <ErrorState error={list.error} />
      ) : rows.length === 0 ? (
        <p className="empty card">{unreadOnly ? 'Nothing unread.' : 'No notifications yet.'}</p>
      ) : (
        <section className="card">
          <ul className="list" aria-label="Notifications">
            {rows.map((row) => (
              <NotificationItem key={row.id} row={row} onChanged={refresh} />
            ))}
          </ul>
          {list.hasNextPage ? (
            <button
              type="button"
              className="secondary"
              disabled={list.isFetchingNextPage}
              onClick={() => list.fetchNextPage()}
            >
              {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
            </button>
          ) : null}
        </section>
      )}
    </>
  );
}
