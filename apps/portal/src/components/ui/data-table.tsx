'use client';

import {
  type ColumnDef,
  getCoreRowModel,
  getPaginationRowModel,
  getSortedRowModel,
  type SortingState,
  useReactTable,
  type VisibilityState,
} from '@tanstack/react-table';
import { type ReactNode, useState } from 'react';
import { BodyCell, HeaderCell } from './data-table-cells';
import { ColumnMenu, Pager } from './data-table-parts';

export type { ColumnDef } from '@tanstack/react-table';

interface DataTableProps<T> {
  /** The table's accessible name. */
  label: string;
  // biome-ignore lint/suspicious/noExplicitAny: column value types differ per column, as in TanStack's own API
  columns: ColumnDef<T, any>[];
  data: T[];
  getRowId?: (row: T) => string;
  pageSize?: number;
  initialSorting?: SortingState;
  initialHidden?: string[];
  /** Offer the column menu (show/hide optional columns). */
  columnMenu?: boolean;
  /** Controls shown above the table, left of the column menu. */
  toolbar?: ReactNode;
  /** `data-testid` of every body row. */
  rowTestId?: string;
}

/**
 * A sortable, paged table; at phone width (≤ 640 px) each row stacks into a card with the column
 * names beside the values, so nothing scrolls sideways.
 */
export function DataTable<T>({
  label,
  columns,
  data,
  getRowId,
  pageSize = 20,
  initialSorting = [],
  initialHidden = [],
  columnMenu = false,
  toolbar,
  rowTestId,
}: DataTableProps<T>) {
  const [sorting, setSorting] = useState<SortingState>(initialSorting);
  const [columnVisibility, setColumnVisibility] = useState<VisibilityState>(() =>
    Object.fromEntries(initialHidden.map((id) => [id, false])),
  );
  const table = useReactTable({
    data,
    columns,
    getRowId,
    state: { sorting, columnVisibility },
    onSortingChange: setSorting,
    onColumnVisibilityChange: setColumnVisibility,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getPaginationRowModel: getPaginationRowModel(),
    initialState: { pagination: { pageIndex: 0, pageSize } },
    autoResetPageIndex: false,
  });
  return (
    <div className="min-w-0">
      {toolbar || columnMenu ? (
        <div className="mb-2 flex flex-wrap items-end justify-between gap-2">
          <div className="flex min-w-0 flex-wrap items-end gap-2">{toolbar}</div>
          {columnMenu ? <ColumnMenu table={table} label={label} /> : null}
        </div>
      ) : null}
      <div className="overflow-x-auto">
        <table aria-label={label} className="w-full border-collapse text-left phone:block">
          <thead className="phone:sr-only">
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => (
                  <HeaderCell key={header.id} header={header} />
                ))}
              </tr>
            ))}
          </thead>
          <tbody className="phone:block">
            {table.getRowModel().rows.map((row) => (
              <tr
                key={row.id}
                data-testid={rowTestId}
                className="phone:block phone:border-b phone:border-line phone:py-2"
              >
                {row.getVisibleCells().map((cell) => (
                  <BodyCell key={cell.id} cell={cell} />
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager table={table} label={label} />
    </div>
  );
}
