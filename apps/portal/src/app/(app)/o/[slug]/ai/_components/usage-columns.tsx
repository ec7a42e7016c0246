import type { ColumnDef } from '~/components/ui/data-table';

export interface ModelTotal {
  model: string;
  calls: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: string;
}

export interface DayTotal extends ModelTotal {
  day: string;
  errors: number;
}

const tokens = (id: 'tokensIn' | 'tokensOut', header: string) => ({
  id,
  header,
  accessorKey: id,
  cell: ({ getValue }: { getValue: () => unknown }) => Number(getValue()).toLocaleString(),
});

const cost = <T extends { costUsd: string }>(): ColumnDef<T> => ({
  id: 'cost',
  header: 'Cost (USD)',
  accessorFn: (row) => Number(row.costUsd),
  cell: ({ row }) => `$${row.original.costUsd}`,
});

export const modelColumns: ColumnDef<ModelTotal>[] = [
  { id: 'model', header: 'Model', accessorKey: 'model' },
  { id: 'calls', header: 'Calls', accessorKey: 'calls' },
  tokens('tokensIn', 'Tokens in'),
  tokens('tokensOut', 'Tokens out'),
  cost<ModelTotal>(),
];

export const dayColumns: ColumnDef<DayTotal>[] = [
  { id: 'day', header: 'Day (UTC)', accessorKey: 'day' },
  { id: 'model', header: 'Model', accessorKey: 'model' },
  { id: 'calls', header: 'Calls', accessorKey: 'calls' },
  { id: 'errors', header: 'Errors', accessorKey: 'errors' },
  tokens('tokensIn', 'Tokens in'),
  tokens('tokensOut', 'Tokens out'),
  cost<DayTotal>(),
];
