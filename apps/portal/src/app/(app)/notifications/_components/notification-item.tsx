'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { Button } from '~/components/ui/button';
import { cn } from '~/lib/cn';
import { useTRPC } from '~/trpc/client';
import { safeCallbackUrl } from '../../../(auth)/safe-callback';

const formatDate = (date: Date) =>
  new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(date);

export interface NotificationRow {
  id: string;
  title: string;
  body: string;
  link: string | null;
  readAt: Date | null;
  createdAt: Date;
}

/**
 * One notification. Following its link marks it read at once (the bell's count drops before the next
 * page renders); the button toggles read / unread.
 */
export function NotificationItem({
  row,
  onChanged,
}: {
  row: NotificationRow;
  onChanged: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const mark = useMutation(trpc.account.markRead.mutationOptions({ onSettled: onChanged }));
  const unread = row.readAt === null;
  // Links are portal paths written by the server; anything else is shown without a link.
  const href = row.link ? safeCallbackUrl(row.link, '') : '';
  const followed = () => {
    if (!unread) return;
    queryClient.setQueryData(trpc.account.unreadCount.queryKey(), (count) =>
      typeof count === 'number' ? Math.max(0, count - 1) : count,
    );
    mark.mutate({ ids: [row.id] });
  };
  return (
    <li className={cn('sub', unread && 'font-semibold')} data-unread={unread || undefined}>
      <div className="min-w-0 flex-[1_1_16rem]">
        {unread ? <span className="sr-only">Unread: </span> : null}
        {href ? (
          <Link href={href} onClick={followed}>
            {row.title}
          </Link>
        ) : (
          row.title
        )}
        {row.body ? <p className="m-0 font-normal text-muted">{row.body}</p> : null}
        <p className="hint font-normal">{formatDate(row.createdAt)}</p>
      </div>
      <Button
        variant="secondary"
        size="sm"
        disabled={mark.isPending}
        onClick={() => mark.mutate({ ids: [row.id], read: unread })}
        aria-label={`${unread ? 'Mark as read' : 'Mark as unread'}: ${row.title}`}
      >
        {unread ? 'Mark read' : 'Mark unread'}
      </Button>
    </li>
  );
}
