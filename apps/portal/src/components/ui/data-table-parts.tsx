'use client';

import * as Menu from '@radix-ui/react-dropdown-menu';
import type { Table } from '@tanstack/react-table';
import { Button } from './button';
import { columnLabel, hideableColumnIds, pageCount, pageSummary } from './data-table-state';

/** Previous / next page buttons with the rows shown, for tables longer than a page. */
export function Pager<T>({ table, label }: { table: Table<T>; label: string }) {
  const { pageIndex, pageSize } = table.getState().pagination;
  const total = table.getPrePaginationRowModel().rows.length;
  if (total <= pageSize) return null;
  return (
    <nav aria-label={`${label} pages`} className="mt-3 flex flex-wrap items-center gap-3">
      <Button
        variant="secondary"
        size="sm"
        disabled={!table.getCanPreviousPage()}
        onClick={() => table.previousPage()}
      >
        Previous
      </Button>
      <span className="text-sm text-muted" aria-live="polite">
        Page {pageIndex + 1} of {pageCount(pageSize, total)} · {pageSummary(pageIndex, pageSize, total)}
      </span>
      <Button
        variant="secondary"
        size="sm"
        disabled={!table.getCanNextPage()}
        onClick={() => table.nextPage()}
      >
        Next
      </Button>
    </nav>
  );
}

/** A menu of checkboxes that show or hide the table's optional columns. */
export function ColumnMenu<T>({ table, label }: { table: Table<T>; label: string }) {
  const hideable = new Set(hideableColumnIds(table.getAllLeafColumns()));
  const columns = table.getAllLeafColumns().filter((column) => hideable.has(column.id));
  if (columns.length === 0) return null;
  return (
    <Menu.Root modal={false}>
      <Menu.Trigger asChild>
        <Button variant="secondary" size="sm" aria-label={`Columns of ${label}`}>
          Columns ▾
        </Button>
      </Menu.Trigger>
      <Menu.Portal>
        <Menu.Content
          align="end"
          sideOffset={4}
          className="z-50 min-w-44 rounded-md border border-line bg-surface p-1 shadow-lg"
        >
          {columns.map((column) => (
            <Menu.CheckboxItem
              key={column.id}
              checked={column.getIsVisible()}
              onCheckedChange={(checked) => column.toggleVisibility(checked === true)}
              onSelect={(event) => event.preventDefault()}
              className="flex cursor-pointer items-center gap-2 rounded px-2 py-1.5 outline-none select-none data-highlighted:bg-page"
            >
              <span aria-hidden="true" className="inline-block w-4">
                {column.getIsVisible() ? '✓' : ''}
              </span>
              {columnLabel(column)}
            </Menu.CheckboxItem>
          ))}
        </Menu.Content>
      </Menu.Portal>
    </Menu.Root>
  );
}
