/** Column metadata the kit's DataTable reads (`meta` on a TanStack column definition). */
export interface DataColumnMeta {
  /** The column's name in the header, the stacked phone layout and the column menu. */
  label?: string;
  /** Cells of this column shown without a label in the stacked layout (e.g. row actions). */
  actions?: boolean;
}

/** A column's human name: its meta label, else a string header, else its id. */
export function columnLabel(column: { id: string; columnDef: { header?: unknown; meta?: unknown } }): string {
  const meta = column.columnDef.meta as DataColumnMeta | undefined;
  if (meta?.label) return meta.label;
  if (typeof column.columnDef.header === 'string') return column.columnDef.header;
  return column.id;
}

export type AriaSort = 'ascending' | 'descending' | 'none';

export function ariaSort(direction: false | 'asc' | 'desc'): AriaSort {
  if (direction === 'asc') return 'ascending';
  if (direction === 'desc') return 'descending';
  return 'none';
}

/** "Rows 21–40 of 45" for a zero-based page; "No rows" when empty. */
export function pageSummary(pageIndex: number, pageSize: number, total: number): string {
  if (total <= 0) return 'No rows';
  const first = Math.min(pageIndex * pageSize + 1, total);
  const last = Math.min((pageIndex + 1) * pageSize, total);
  return `Rows ${first}–${last} of ${total}`;
}

/** Number of pages for `total` rows (at least one, so "Page 1 of 1" reads right on an empty table). */
export function pageCount(pageSize: number, total: number): number {
  if (pageSize <= 0) return 1;
  return Math.max(1, Math.ceil(total / pageSize));
}

/** The page index to keep after the rows change (e.g. the last row of the last page was removed). */
export function clampPageIndex(pageIndex: number, pageSize: number, total: number): number {
  return Math.min(Math.max(0, pageIndex), pageCount(pageSize, total) - 1);
}

/** Column ids that may be hidden: every column but those that must stay (first column and actions). */
export function hideableColumnIds(
  columns: ReadonlyArray<{ id: string; columnDef: { meta?: unknown; enableHiding?: boolean } }>,
): string[] {
  return columns
    .filter((column, index) => {
      if (index === 0 || column.columnDef.enableHiding === false) return false;
      return !(column.columnDef.meta as DataColumnMeta | undefined)?.actions;
    })
    .map((column) => column.id);
}
