'use client';

import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '~/components/ui/button';
import { DataTable } from '~/components/ui/data-table';
import { Drawer } from '~/components/ui/drawer';
import { EmptyState } from '~/components/ui/empty-state';
import { FormMessage } from '~/components/ui/field';
import { QueryState } from '~/components/ui/query-state';
import { fieldErrors, useTRPC } from '~/trpc/client';
import type { LogFilter, Side } from './filter';
import { type LogRow, logColumns } from './log-columns';
import { LogDetail } from './log-detail';

const PAGE_SIZE = 50;

/** Says why nothing is listed and what to do: widen the filters, or send traffic through the gateway. */
function NoRequests({ orgSlug, side, filtered }: { orgSlug: string; side: Side; filtered: boolean }) {
  if (filtered) return <EmptyState title="No requests match." description="Change or reset the filters." />;
  return (
    <EmptyState
      title="No requests match."
      description="Calls through the gateway appear here within seconds."
      action={
        side === 'provider'
          ? { label: 'See your APIs', href: `/o/${orgSlug}/apis` }
          : { label: 'Browse the catalog', href: '/catalog' }
      }
    />
  );
}

export function LogTable({ orgSlug, side, filter }: { orgSlug: string; side: Side; filter: LogFilter }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState<LogRow | null>(null);
  const list = useInfiniteQuery(
    trpc.logs.list.infiniteQueryOptions(
      { orgSlug, side, limit: PAGE_SIZE, ...filter },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  const firstFieldError = list.isError ? Object.entries(fieldErrors(list.error))[0] : undefined;
  if (firstFieldError) return <FormMessage message={`${firstFieldError[0]}: ${firstFieldError[1]}`} />;
  return (
    <QueryState
      query={list}
      pendingLabel="Loading requests"
      isEmpty={(data) => data.pages.every((page) => page.rows.length === 0)}
      empty={<NoRequests orgSlug={orgSlug} side={side} filtered={Object.keys(filter).length > 0} />}
    >
      {(data) => {
        const rows = data.pages.flatMap((page) => page.rows);
        return (
          <>
            <DataTable
              label="Requests"
              columns={logColumns(setOpen)}
              data={rows}
              getRowId={(row) => row.id}
              pageSize={1000}
              rowTestId="log-row"
              columnMenu
            />
            {list.hasNextPage ? (
              <Button
                variant="secondary"
                className="mt-3"
                disabled={list.isFetchingNextPage}
                onClick={() => void list.fetchNextPage()}
              >
                {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </Button>
            ) : (
              <p className="muted">
                {rows.length} request{rows.length === 1 ? '' : 's'}.
              </p>
            )}
            <Drawer
              open={open !== null}
              onOpenChange={(next) => (next ? null : setOpen(null))}
              title="Request"
            >
              {open ? <LogDetail orgSlug={orgSlug} side={side} id={open.id} at={open.at} /> : null}
            </Drawer>
          </>
        );
      }}
    </QueryState>
  );
}
