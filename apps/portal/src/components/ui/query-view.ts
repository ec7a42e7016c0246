/** The part of a react-query result that decides what to render. */
export interface QueryLike<TData> {
  status: 'pending' | 'error' | 'success';
  data: TData | undefined;
  error: unknown;
}

export type QueryView<TData> =
  | { kind: 'pending' }
  | { kind: 'error'; message: string }
  | { kind: 'empty'; data: TData }
  | { kind: 'data'; data: TData; staleError: string | null };

/** A readable message for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  if (typeof error === 'string' && error) return error;
  return 'Something went wrong.';
}

/**
 * What to show for a query: data already loaded stays on screen when a later refetch fails (with the
 * failure beside it); an error replaces the view only when there is nothing to show.
 */
export function queryView<TData>(
  query: QueryLike<TData>,
  isEmpty?: (data: TData) => boolean,
): QueryView<TData> {
  if (query.data === undefined) {
    if (query.status === 'error') return { kind: 'error', message: errorMessage(query.error) };
    return { kind: 'pending' };
  }
  if (isEmpty?.(query.data)) return { kind: 'empty', data: query.data };
  return {
    kind: 'data',
    data: query.data,
    staleError: query.status === 'error' ? errorMessage(query.error) : null,
  };
}

/** Empty when the value is an empty array, or an object whose `items` array is empty. */
export function isEmptyList(data: unknown): boolean {
  if (Array.isArray(data)) return data.length === 0;
  if (data && typeof data === 'object' && 'items' in data && Array.isArray(data.items)) {
    return data.items.length === 0;
  }
  return false;
}
