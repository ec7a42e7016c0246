'use client';

import { type Cell, flexRender, type Header } from '@tanstack/react-table';
import { cn } from '~/lib/cn';
import { ariaSort, columnLabel, type DataColumnMeta } from './data-table-state';

/** A column header; a sortable column's name is a button that cycles its sort, announced by aria-sort. */
export function HeaderCell<T>({ header }: { header: Header<T, unknown> }) {
  const sortable = header.column.getCanSort();
  const direction = header.column.getIsSorted();
  const title = flexRender(header.column.columnDef.header, header.getContext());
  return (
    <th
      scope="col"
      aria-sort={sortable ? ariaSort(direction) : undefined}
      className="border-b border-line px-2 py-2 align-bottom text-sm font-semibold text-muted"
    >
      {sortable ? (
        <button
          type="button"
          onClick={header.column.getToggleSortingHandler()}
          className="m-0 inline-flex cursor-pointer items-center gap-1 border-0 bg-transparent p-0 font-semibold text-muted hover:bg-transparent hover:text-fg"
        >
          {title}
          <span aria-hidden="true">{direction === 'asc' ? '▲' : direction === 'desc' ? '▼' : '↕'}</span>
        </button>
      ) : (
        title
      )}
    </th>
  );
}

/** A body cell; at phone width it shows its column's name before the value (actions columns do not). */
export function BodyCell<T>({ cell }: { cell: Cell<T, unknown> }) {
  const meta = cell.column.columnDef.meta as DataColumnMeta | undefined;
  return (
    <td
      data-label={meta?.actions ? undefined : columnLabel(cell.column)}
      className={cn(
        'border-b border-line px-2 py-2 align-top break-words [overflow-wrap:anywhere]',
        'phone:flex phone:gap-2 phone:border-0 phone:px-0 phone:py-1',
        'phone:data-label:before:min-w-28 phone:data-label:before:shrink-0 phone:data-label:before:font-semibold phone:data-label:before:text-muted phone:data-label:before:content-[attr(data-label)]',
      )}
    >
      <div className="min-w-0">{flexRender(cell.column.columnDef.cell, cell.getContext())}</div>
    </td>
  );
}
