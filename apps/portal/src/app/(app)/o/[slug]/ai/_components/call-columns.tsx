'use client';

import { Button } from '~/components/ui/button';
import type { ColumnDef } from '~/components/ui/data-table';
import { callTime } from './call-filter';

export interface CallRow {
  id: string;
  at: Date;
  apiId: string;
  apiName: string | null;
  model: string;
  providerModel: string | null;
  provider: string | null;
  status: number;
  errorCode: string | null;
  tokensIn: number;
  tokensOut: number;
  tokensEstimated: boolean;
  costUsd: string;
  latencyMs: number;
  ttftMs: number | null;
  /** prompt APIs: the published version that answered */
  promptVersion: number | null;
  hasBodies: boolean;
}

const muted = (text: string | number, title?: string) => (
  <span className="text-muted" title={title}>
    {text}
  </span>
);

export function callColumns(open: (row: CallRow) => void): ColumnDef<CallRow>[] {
  return [
    {
      id: 'at',
      header: 'Time',
      accessorKey: 'at',
      sortingFn: 'datetime',
      cell: ({ row }) => callTime(row.original.at),
    },
    { id: 'api', header: 'API', accessorFn: (c) => c.apiName ?? c.apiId },
    {
      id: 'model',
      header: 'Model',
      accessorKey: 'model',
      cell: ({ row: { original: c } }) => (
        <>
          {c.model}
          {c.providerModel && c.providerModel !== c.model ? muted(` → ${c.providerModel}`) : null}
          {c.promptVersion !== null ? muted(` · prompt v${c.promptVersion}`) : null}
        </>
      ),
    },
    { id: 'provider', header: 'Provider', accessorFn: (c) => c.provider ?? '—' },
    {
      id: 'status',
      header: 'Status',
      accessorKey: 'status',
      cell: ({ row: { original: c } }) => (
        <>
          {c.status}
          {c.errorCode ? muted(` ${c.errorCode}`) : null}
        </>
      ),
    },
    {
      id: 'tokens',
      header: 'Tokens in / out',
      accessorFn: (c) => c.tokensIn + c.tokensOut,
      cell: ({ row: { original: c } }) => (
        <>
          {c.tokensIn} / {c.tokensOut}
          {c.tokensEstimated ? muted(' ≈', 'estimated by a tokenizer') : null}
        </>
      ),
    },
    {
      id: 'cost',
      header: 'Cost (USD)',
      accessorFn: (c) => Number(c.costUsd),
      cell: ({ row }) => `$${row.original.costUsd}`,
    },
    {
      id: 'latency',
      header: 'Latency',
      accessorKey: 'latencyMs',
      cell: ({ row: { original: c } }) => (
        <>
          {c.latencyMs} ms
          {c.ttftMs !== null ? muted(` (first token ${c.ttftMs} ms)`) : null}
        </>
      ),
    },
    {
      id: 'bodies',
      header: 'Bodies',
      enableSorting: false,
      cell: ({ row: { original: c } }) =>
        c.hasBodies ? (
          <Button variant="secondary" size="sm" onClick={() => open(c)}>
            Show<span className="sr-only"> the bodies of the call at {callTime(c.at)}</span>
          </Button>
        ) : (
          muted('not logged')
        ),
    },
  ];
}
