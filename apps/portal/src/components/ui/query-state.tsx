'use client';

import type { ReactNode } from 'react';
import { Button } from './button';
import { type QueryLike, queryView } from './query-view';

interface QueryStateProps<TData> {
  query: QueryLike<TData> & { refetch: () => unknown; isFetching?: boolean };
  /** What is loading, e.g. "Loading members". */
  pendingLabel?: string;
  /** Rendered instead of `children` when `isEmpty` says the data is empty. */
  empty?: ReactNode;
  isEmpty?: (data: TData) => boolean;
  children: (data: TData) => ReactNode;
}

/** Renders a query's pending, error (with retry), empty or data state. */
export function QueryState<TData>({
  query,
  pendingLabel = 'Loading',
  empty,
  isEmpty,
  children,
}: QueryStateProps<TData>) {
  const view = queryView(query, empty === undefined ? undefined : isEmpty);
  switch (view.kind) {
    case 'pending':
      return (
        <p className="text-muted" aria-busy="true" role="status">
          {pendingLabel}…
        </p>
      );
    case 'error':
      return (
        <div
          role="alert"
          className="mb-4 flex flex-wrap items-center gap-3 rounded-md border border-[#f1c7c7] bg-[#fdf0f0] px-3 py-2"
        >
          <p className="m-0 text-danger">{view.message}</p>
          <Button variant="secondary" size="sm" disabled={query.isFetching} onClick={() => query.refetch()}>
            {query.isFetching ? 'Retrying…' : 'Retry'}
          </Button>
        </div>
      );
    case 'empty':
      return <>{empty}</>;
    case 'data':
      return (
        <>
          {view.staleError ? (
            <p role="alert" className="m-0 mb-2 text-sm text-danger">
              Could not refresh: {view.staleError}{' '}
              <Button variant="link" onClick={() => query.refetch()}>
                Retry
              </Button>
            </p>
          ) : null}
          {children(view.data)}
        </>
      );
  }
}
