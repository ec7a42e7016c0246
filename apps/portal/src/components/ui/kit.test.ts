import { describe, expect, it } from 'vitest';
import { copyButtonText, copyText } from './copy';
import {
  ariaSort,
  clampPageIndex,
  columnLabel,
  hideableColumnIds,
  pageCount,
  pageSummary,
} from './data-table-state';
import { errorMessage, isEmptyList, queryView } from './query-view';

describe('queryView', () => {
  it('is pending until the first data or error', () => {
    expect(queryView({ status: 'pending', data: undefined, error: null })).toEqual({ kind: 'pending' });
  });

  it('shows the error when there is nothing to show', () => {
    expect(queryView({ status: 'error', data: undefined, error: new Error('Forbidden') })).toEqual({
      kind: 'error',
      message: 'Forbidden',
    });
  });

  it('keeps loaded data on screen when a refetch fails, with the failure beside it', () => {
    expect(queryView({ status: 'error', data: [1], error: new Error('offline') }, isEmptyList)).toEqual({
      kind: 'data',
      data: [1],
      staleError: 'offline',
    });
  });

  it('tells empty data from data', () => {
    expect(queryView({ status: 'success', data: [], error: null }, isEmptyList).kind).toBe('empty');
    expect(queryView({ status: 'success', data: { items: [] }, error: null }, isEmptyList).kind).toBe(
      'empty',
    );
    expect(queryView({ status: 'success', data: [], error: null }).kind).toBe('data');
    expect(queryView({ status: 'success', data: 0, error: null }, isEmptyList).kind).toBe('data');
  });

  it('words unknown errors', () => {
    expect(errorMessage(undefined)).toBe('Something went wrong.');
    expect(errorMessage('boom')).toBe('boom');
  });
});

describe('data table state', () => {
  it('summarises pages', () => {
    expect(pageSummary(0, 20, 45)).toBe('Rows 1–20 of 45');
    expect(pageSummary(2, 20, 45)).toBe('Rows 41–45 of 45');
    expect(pageSummary(0, 20, 0)).toBe('No rows');
    expect(pageCount(20, 0)).toBe(1);
    expect(pageCount(20, 41)).toBe(3);
  });

  it('keeps the page index inside the pages left', () => {
    expect(clampPageIndex(2, 20, 40)).toBe(1);
    expect(clampPageIndex(-1, 20, 40)).toBe(0);
    expect(clampPageIndex(1, 20, 40)).toBe(1);
  });

  it('maps sort directions to aria-sort', () => {
    expect(ariaSort('asc')).toBe('ascending');
    expect(ariaSort('desc')).toBe('descending');
    expect(ariaSort(false)).toBe('none');
  });

  it('names columns by meta label, string header, then id', () => {
    expect(columnLabel({ id: 'a', columnDef: { header: 'App', meta: { label: 'Application' } } })).toBe(
      'Application',
    );
    expect(columnLabel({ id: 'a', columnDef: { header: 'App' } })).toBe('App');
    expect(columnLabel({ id: 'a', columnDef: { header: () => null } })).toBe('a');
  });

  it('never hides the first column or row actions', () => {
    const columns = [
      { id: 'name', columnDef: {} },
      { id: 'role', columnDef: {} },
      { id: 'pinned', columnDef: { enableHiding: false } },
      { id: 'actions', columnDef: { meta: { actions: true } } },
    ];
    expect(hideableColumnIds(columns)).toEqual(['role']);
  });
});

describe('copy to clipboard', () => {
  it('copies through the clipboard API', async () => {
    const written: string[] = [];
    const clipboard = { writeText: async (text: string) => void written.push(text) };
    expect(await copyText('pk_live_x', clipboard)).toBe('copied');
    expect(written).toEqual(['pk_live_x']);
    expect(copyButtonText('copied')).toBe('Copied');
  });

  it('says so when there is no clipboard (insecure context) or it refuses', async () => {
    expect(await copyText('x', undefined)).toBe('unavailable');
    const refusing = { writeText: async () => Promise.reject(new Error('NotAllowedError')) };
    expect(await copyText('x', refusing)).toBe('failed');
    expect(copyButtonText(null, 'Copy link')).toBe('Copy link');
  });
});
