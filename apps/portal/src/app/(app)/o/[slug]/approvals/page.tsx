'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { ErrorState, Loading } from '../../../../../components/form';
import { OrgCrumb } from '../../../../../components/org-crumb';
import { fieldErrors, formError, useTRPC } from '../../../../../trpc/client';

interface PendingRow {
  id: string;
  createdAt: Date;
  requestedBy: { name: string | null; email: string } | null;
  app: { name: string; org: { name: string; slug: string } };
  plan: { name: string; api: { name: string } };
}

function RequestRow({
  orgSlug,
  row,
  onDecided,
}: {
  orgSlug: string;
  row: PendingRow;
  onDecided: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const [reason, setReason] = useState('');
  const approve = useMutation(trpc.subscription.approve.mutationOptions({ onSuccess: onDecided }));
  const reject = useMutation(trpc.subscription.reject.mutationOptions({ onSuccess: onDecided }));
  const busy = approve.isPending || reject.isPending;
  const reasonError = fieldErrors(reject.error).reason;
  const error = formError(approve.error) ?? formError(reject.error);
  return (
    <tr>
      <td data-label="App">{row.app.name}</td>
      <td data-label="Consumer org">{row.app.org.name}</td>
      <td data-label="API">{row.plan.api.name}</td>
      <td data-label="Plan">{row.plan.name}</td>
      <td data-label="Requested">
        {row.requestedBy ? (
          <span>
            {row.requestedBy.name ?? row.requestedBy.email}
            <br />
            <span className="muted">{row.requestedBy.email}</span>
          </span>
        ) : (
          <span className="muted">unknown</span>
        )}
        <br />
        <time className="muted" dateTime={row.createdAt.toISOString()}>
          {row.createdAt.toLocaleString()}
        </time>
      </td>
      <td>
        <div className="actions">
          <button
            type="button"
            disabled={busy}
            onClick={() => approve.mutate({ orgSlug, subscriptionId: row.id })}
          >
            Approve
          </button>
          <div className="reject">
            <div className="field inline">
              <label htmlFor={`reason-${row.id}`}>Reason</label>
              <input
                id={`reason-${row.id}`}
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                aria-invalid={reasonError ? true : undefined}
                aria-describedby={reasonError ? `reason-${row.id}-error` : undefined}
              />
            </div>
            <button
              type="button"
              className="danger"
              disabled={busy}
              onClick={() => reject.mutate({ orgSlug, subscriptionId: row.id, reason })}
            >
              Reject
            </button>
            {reasonError ? (
              <p id={`reason-${row.id}-error`} className="field-error">
                {reasonError}
              </p>
            ) : null}
          </div>
          {error ? (
            <p className="form-error" role="alert">
              {error}
            </p>
          ) : null}
        </div>
      </td>
    </tr>
  );
}

export default function ApprovalsPage() {
  const { slug } = useParams<{ slug: string }>();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const pending = useQuery(trpc.subscription.pending.queryOptions({ orgSlug: slug }));
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.subscription.pending.queryKey({ orgSlug: slug }) });
  return (
    <>
      <OrgCrumb slug={slug} />
      <h1>Approvals</h1>
      <p className="muted">
        Subscription requests to your organization&apos;s APIs that need a decision. Active subscribers are
        suspended or resumed from each API&apos;s page; plans without approval activate at once.
      </p>
      {pending.isPending ? (
        <Loading what="Loading requests" />
      ) : pending.isError ? (
        <ErrorState error={pending.error} />
      ) : pending.data.length === 0 ? (
        <p className="empty card">No pending requests</p>
      ) : (
        <div className="card table-wrap">
          <table className="table stack" aria-label="Pending requests">
            <thead>
              <tr>
                <th scope="col">App</th>
                <th scope="col">Consumer org</th>
                <th scope="col">API</th>
                <th scope="col">Plan</th>
                <th scope="col">Requested</th>
                <th scope="col">Decision</th>
              </tr>
            </thead>
            <tbody>
              {pending.data.map((row) => (
                <RequestRow key={row.id} orgSlug={slug} row={row} onDecided={refresh} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
