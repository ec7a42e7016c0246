'use client';

import { useMutation } from '@tanstack/react-query';
import { Button } from '~/components/ui/button';
import { type ColumnDef, DataTable } from '~/components/ui/data-table';
import { FormMessage } from '~/components/ui/field';
import { formError, useTRPC } from '~/trpc/client';
import { type AlertRow, kindText, lastSentText, standingText } from './alert-text';

const day = (at: Date) => at.toISOString().slice(0, 10);

function Standing({ row }: { row: AlertRow }) {
  const standing = standingText(row);
  if (standing === null) return <span className="muted">Nothing to measure</span>;
  return (
    <>
      {standing}
      {row.period ? <span className="muted"> since {day(row.period.start)}</span> : null}
    </>
  );
}

function DeleteAlert({ orgSlug, row, onDeleted }: { orgSlug: string; row: AlertRow; onDeleted: () => void }) {
  const trpc = useTRPC();
  const remove = useMutation(trpc.alerts.delete.mutationOptions({ onSuccess: onDeleted }));
  return (
    <div>
      <Button
        size="sm"
        variant="danger"
        disabled={remove.isPending}
        aria-label={`Delete the alert on ${row.subject}`}
        onClick={() => remove.mutate({ orgSlug, alertId: row.id })}
      >
        Delete
      </Button>
      <FormMessage message={formError(remove.error)} />
    </div>
  );
}

function alertColumns(orgSlug: string, canManage: boolean, onDeleted: () => void): ColumnDef<AlertRow>[] {
  const columns: ColumnDef<AlertRow>[] = [
    {
      id: 'watching',
      header: 'Watching',
      accessorKey: 'subject',
      cell: ({ row: { original } }) => (
        <>
          {original.subject}
          <span className="block text-muted">{kindText(original.kind, original.budgetScope)}</span>
        </>
      ),
    },
    {
      id: 'thresholds',
      header: 'Thresholds',
      enableSorting: false,
      cell: ({ row }) => row.original.thresholds.map((t) => `${t}%`).join(', '),
    },
    {
      id: 'period',
      header: 'This period',
      accessorFn: (row) => row.percent ?? -1,
      cell: ({ row }) => <Standing row={row.original} />,
    },
    {
      id: 'lastSent',
      header: 'Last sent',
      enableSorting: false,
      cell: ({ row }) => lastSentText(row.original.lastFiring) ?? <span className="muted">Never</span>,
    },
  ];
  if (!canManage) return columns;
  return [
    ...columns,
    {
      id: 'actions',
      header: () => <span className="sr-only">Actions</span>,
      enableSorting: false,
      meta: { actions: true, label: 'Actions' },
      cell: ({ row }) => <DeleteAlert orgSlug={orgSlug} row={row.original} onDeleted={onDeleted} />,
    },
  ];
}

/** The organization's usage alerts; owners and admins get a delete button on each. */
export function AlertList({
  orgSlug,
  rows,
  canManage,
  onDeleted,
}: {
  orgSlug: string;
  rows: AlertRow[];
  canManage: boolean;
  onDeleted: () => void;
}) {
  return (
    <DataTable
      label="Usage alerts"
      columns={alertColumns(orgSlug, canManage, onDeleted)}
      data={rows}
      getRowId={(row) => row.id}
    />
  );
}
