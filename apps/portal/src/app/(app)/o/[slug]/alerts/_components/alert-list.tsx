'use client';

import { useMutation } from '@tanstack/react-query';
import { FormError } from '../../../../../../components/form';
import { formError, useTRPC } from '../../../../../../trpc/client';

interface AlertRow {
  id: string;
  kind: string;
  subject: string;
  thresholds: number[];
  limit: bigint | null;
  used: bigint;
  percent: number | null;
  period: { start: Date; end: Date } | null;
  lastFiring: { threshold: number; at: Date } | null;
}

const count = (n: bigint) => n.toLocaleString('en-US');
const day = (at: Date) => at.toISOString().slice(0, 10);

function Standing({ row }: { row: AlertRow }) {
  if (row.limit === null || row.percent === null) return <span className="muted">Nothing to measure</span>;
  return (
    <>
      {count(row.used)} of {count(row.limit)} ({row.percent}%)
      {row.period ? <span className="muted"> since {day(row.period.start)}</span> : null}
    </>
  );
}

function Row({
  orgSlug,
  row,
  canManage,
  onDeleted,
}: {
  orgSlug: string;
  row: AlertRow;
  canManage: boolean;
  onDeleted: () => void;
}) {
  const trpc = useTRPC();
  const remove = useMutation(trpc.alerts.delete.mutationOptions({ onSuccess: onDeleted }));
  return (
    <tr>
      <td data-label="Watching">
        {row.subject}
        <br />
        <span className="muted">
          {row.kind === 'SUBSCRIPTION_QUOTA' ? 'monthly quota' : 'monthly request target'}
        </span>
      </td>
      <td data-label="Thresholds">{row.thresholds.map((t) => `${t}%`).join(', ')}</td>
      <td data-label="This period">
        <Standing row={row} />
      </td>
      <td data-label="Last sent">
        {row.lastFiring ? (
          `${row.lastFiring.threshold}% on ${day(row.lastFiring.at)}`
        ) : (
          <span className="muted">Never</span>
        )}
      </td>
      <td>
        {canManage ? (
          <button
            type="button"
            className="danger"
            disabled={remove.isPending}
            aria-label={`Delete the alert on ${row.subject}`}
            onClick={() => remove.mutate({ orgSlug, alertId: row.id })}
          >
            Delete
          </button>
        ) : null}
        <FormError message={formError(remove.error)} />
      </td>
    </tr>
  );
}

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
  if (rows.length === 0) return <p className="empty">No alerts yet.</p>;
  return (
    <div className="table-wrap">
      <table className="table stack" aria-label="Usage alerts">
        <thead>
          <tr>
            <th scope="col">Watching</th>
            <th scope="col">Thresholds</th>
            <th scope="col">This period</th>
            <th scope="col">Last sent</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <Row key={row.id} orgSlug={orgSlug} row={row} canManage={canManage} onDeleted={onDeleted} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
