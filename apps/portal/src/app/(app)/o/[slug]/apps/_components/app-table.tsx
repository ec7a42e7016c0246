'use client';

import Link from 'next/link';
import { type ColumnDef, DataTable } from '~/components/ui/data-table';

export interface AppRow {
  id: string;
  name: string;
  createdAt: Date;
  _count: { subscriptions: number; apiKeys: number };
}

const dateOnly = (at: Date) => at.toISOString().slice(0, 10);

function appColumns(orgSlug: string): ColumnDef<AppRow>[] {
  return [
    {
      id: 'name',
      header: 'App',
      accessorKey: 'name',
      cell: ({ row: { original } }) => (
        <Link href={`/o/${orgSlug}/apps/${original.id}`}>{original.name}</Link>
      ),
    },
    {
      id: 'subscriptions',
      header: 'Subscriptions',
      accessorFn: (row) => row._count.subscriptions,
    },
    {
      id: 'keys',
      header: 'Active keys',
      accessorFn: (row) => row._count.apiKeys,
    },
    {
      id: 'created',
      header: 'Created',
      accessorFn: (row) => row.createdAt.getTime(),
      cell: ({ row: { original } }) => (
        <time dateTime={original.createdAt.toISOString()}>{dateOnly(original.createdAt)}</time>
      ),
    },
  ];
}

/** The org's apps, newest first, each leading to its subscriptions and keys. */
export function AppTable({ orgSlug, rows }: { orgSlug: string; rows: AppRow[] }) {
  return <DataTable label="Apps" columns={appColumns(orgSlug)} data={rows} getRowId={(row) => row.id} />;
}
