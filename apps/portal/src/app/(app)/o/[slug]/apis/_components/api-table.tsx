'use client';

import Link from 'next/link';
import { Badge } from '~/components/ui/badge';
import { type ColumnDef, DataTable } from '~/components/ui/data-table';

export interface ApiRow {
  id: string;
  slug: string;
  name: string;
  status: string;
  visibility: string;
  _count: { plans: number };
}

const STATUS_TONE = { PUBLISHED: 'ok', DEPRECATED: 'warn', RETIRED: 'danger' } as const;
const toneOf = (status: string) => STATUS_TONE[status as keyof typeof STATUS_TONE] ?? 'neutral';

/** The org's APIs: name (to its admin page), status, visibility and how many plans it has. */
export function ApiTable({ orgSlug, rows }: { orgSlug: string; rows: ApiRow[] }) {
  const columns: ColumnDef<ApiRow>[] = [
    {
      id: 'name',
      header: 'Name',
      accessorKey: 'name',
      cell: ({ row: { original } }) => (
        <Link href={`/o/${orgSlug}/apis/${original.slug}`}>{original.name}</Link>
      ),
    },
    {
      id: 'status',
      header: 'Status',
      accessorKey: 'status',
      cell: ({ row: { original } }) => <Badge tone={toneOf(original.status)}>{original.status}</Badge>,
    },
    { id: 'visibility', header: 'Visibility', accessorKey: 'visibility' },
    {
      id: 'plans',
      header: 'Plans',
      accessorFn: (row) => row._count.plans,
      cell: ({ row: { original } }) =>
        `${original._count.plans} plan${original._count.plans === 1 ? '' : 's'}`,
    },
  ];
  return (
    <DataTable
      label="APIs"
      columns={columns}
      data={rows}
      getRowId={(row) => row.id}
      initialSorting={[{ id: 'name', desc: false }]}
    />
  );
}
