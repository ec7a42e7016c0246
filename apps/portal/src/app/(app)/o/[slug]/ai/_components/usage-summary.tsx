'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { DataTable } from '~/components/ui/data-table';
import { EmptyState } from '~/components/ui/empty-state';
import { FieldShell } from '~/components/ui/field';
import { QueryState } from '~/components/ui/query-state';
import { Select } from '~/components/ui/select';
import { useTRPC } from '~/trpc/client';
import { endOfToday, usageRange } from './call-filter';
import { dayColumns, modelColumns } from './usage-columns';

const PERIODS = [
  { value: '1', label: 'Today (UTC)' },
  { value: '7', label: 'Last 7 days' },
  { value: '30', label: 'Last 30 days' },
  { value: '90', label: 'Last 90 days' },
];

/** Calls, tokens and cost per model over a period, with the same per UTC day folded away. */
export function UsageSummary({ orgSlug, apiId }: { orgSlug: string; apiId?: string }) {
  const trpc = useTRPC();
  const [to] = useState(() => endOfToday());
  const [days, setDays] = useState('30');
  const summary = useQuery(
    trpc.ai.usageSummary.queryOptions(
      { orgSlug, ...usageRange(to, Number(days)), ...(apiId ? { apiId } : {}) },
      { placeholderData: keepPreviousData },
    ),
  );
  return (
    <section aria-labelledby="usage-title" className="card min-w-0">
      <div className="flex flex-wrap items-end justify-between gap-x-4">
        <h3 id="usage-title">Usage by model</h3>
        <FieldShell id="usage-days" label="Period">
          <Select id="usage-days" value={days} onValueChange={setDays} options={PERIODS} />
        </FieldShell>
      </div>
      <QueryState
        query={summary}
        pendingLabel="Loading usage"
        isEmpty={(data) => data.models.length === 0}
        empty={
          <EmptyState
            title="No AI calls in this period."
            description="Pick a longer period, or call one of your AI APIs through the gateway."
          />
        }
      >
        {(data) => (
          <>
            <DataTable
              label="Totals per model"
              columns={modelColumns}
              data={data.models}
              getRowId={(m) => m.model}
            />
            <details className="mt-3">
              <summary>Per day</summary>
              <DataTable
                label="Usage per day and model"
                columns={dayColumns}
                data={data.days}
                getRowId={(d) => `${d.day}-${d.model}`}
              />
            </details>
          </>
        )}
      </QueryState>
    </section>
  );
}
