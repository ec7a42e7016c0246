'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '~/components/ui/button';
import { DataTable } from '~/components/ui/data-table';
import { Drawer } from '~/components/ui/drawer';
import { EmptyState } from '~/components/ui/empty-state';
import { FormMessage } from '~/components/ui/field';
import { QueryState } from '~/components/ui/query-state';
import { fieldErrors, useTRPC } from '~/trpc/client';
import { type CallRow, callColumns } from './call-columns';
import { CallDetail } from './call-detail';
import { type CallDraft, type Cursor, callQuery, NO_CALL_FILTER } from './call-filter';
import { CallFilters } from './call-filters';
import { UsageSummary } from './usage-summary';

/** Usage per model, then the calls themselves, newest first, 50 to a page. */
export function CallLogSection({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const [filters, setFilters] = useState<CallDraft>(NO_CALL_FILTER);
  const [cursors, setCursors] = useState<Cursor[]>([]);
  const [open, setOpen] = useState<CallRow | null>(null);
  const calls = useQuery(
    trpc.ai.calls.queryOptions(callQuery(orgSlug, filters, cursors.at(-1)), {
      placeholderData: keepPreviousData,
    }),
  );
  const errors = fieldErrors(calls.error);
  const filtered = Object.values(filters).some(Boolean);
  const nextCursor = calls.data?.nextCursor;
  return (
    <section aria-labelledby="calls-title">
      <h2 id="calls-title">Call log</h2>
      <UsageSummary orgSlug={orgSlug} {...(filters.apiId ? { apiId: filters.apiId } : {})} />
      <div className="card min-w-0">
        <CallFilters
          orgSlug={orgSlug}
          errors={errors}
          onApply={(draft) => {
            setCursors([]);
            setFilters(draft);
          }}
        />
        {Object.keys(errors).length > 0 ? (
          <FormMessage message="Check the filters marked above." />
        ) : (
          <QueryState
            query={calls}
            pendingLabel="Loading calls"
            isEmpty={(data) => data.items.length === 0}
            empty={
              <EmptyState
                title="No AI calls match."
                description={
                  filtered
                    ? 'Change or reset the filters.'
                    : 'Calls to your AI and prompt APIs show up here within seconds.'
                }
              />
            }
          >
            {(data) => (
              <DataTable
                label="AI calls"
                columns={callColumns(setOpen)}
                data={data.items}
                getRowId={(c) => c.id}
                pageSize={1000}
                columnMenu
              />
            )}
          </QueryState>
        )}
        <nav aria-label="Call log pages" className="mt-3 flex flex-wrap gap-2">
          <Button
            variant="secondary"
            disabled={cursors.length === 0}
            onClick={() => setCursors((c) => c.slice(0, -1))}
          >
            Newer
          </Button>
          <Button
            variant="secondary"
            disabled={!nextCursor}
            onClick={() => (nextCursor ? setCursors((c) => [...c, nextCursor]) : undefined)}
          >
            Older
          </Button>
        </nav>
      </div>
      <Drawer open={open !== null} onOpenChange={(next) => (next ? null : setOpen(null))} title="AI call">
        {open ? <CallDetail orgSlug={orgSlug} id={open.id} at={open.at} /> : null}
      </Drawer>
    </section>
  );
}
