'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ErrorState, FormError, Loading } from '../../../../../../../components/form';
import { formError, useTRPC } from '../../../../../../../trpc/client';

interface SubscriberRow {
  id: string;
  status: string;
  app: { name: string; org: { name: string; slug: string } };
  plan: { name: string; archivedAt: Date | null };
}

function Row({
  orgSlug,
  row,
  canDecide,
  onChanged,
}: {
  orgSlug: string;
  row: SubscriberRow;
  canDecide: boolean;
  onChanged: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const suspend = useMutation(trpc.subscription.suspend.mutationOptions({ onSuccess: onChanged }));
  const resume = useMutation(trpc.subscription.resume.mutationOptions({ onSuccess: onChanged }));
  const busy = suspend.isPending || resume.isPending;
  return (
    <tr>
      <td data-label="App">{row.app.name}</td>
      <td data-label="Consumer org">{row.app.org.name}</td>
      <td data-label="Plan">
        {row.plan.name}
        {row.plan.archivedAt ? <span className="muted"> (archived)</span> : null}
      </td>
      <td data-label="Status">
        <span className={`badge status-${row.status.toLowerCase()}`}>{row.status}</span>
      </td>
      <td>
        {canDecide && row.status === 'ACTIVE' ? (
          <button
            type="button"
            className="danger"
            disabled={busy}
            aria-label={`Suspend ${row.app.name}`}
            onClick={() => suspend.mutate({ orgSlug, subscriptionId: row.id })}
          >
            {suspend.isPending ? 'Suspending…' : 'Suspend'}
          </button>
        ) : null}
        {canDecide && row.status === 'SUSPENDED' ? (
          <button
            type="button"
            disabled={busy}
            aria-label={`Resume ${row.app.name}`}
            onClick={() => resume.mutate({ orgSlug, subscriptionId: row.id })}
          >
            {resume.isPending ? 'Resuming…' : 'Resume'}
          </button>
        ) : null}
        <FormError message={formError(suspend.error) ?? formError(resume.error)} />
      </td>
    </tr>
  );
}

/** Provider side: who subscribes to this API, with suspend/resume for owners and admins. */
export function Subscribers({ orgSlug, apiId }: { orgSlug: string; apiId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const subs = useQuery(trpc.policy.subscribers.queryOptions({ orgSlug, apiId }));
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.policy.subscribers.queryKey({ orgSlug, apiId }) });
  return (
    <section className="card" aria-labelledby="subscribers-title">
      <h2 id="subscribers-title">Subscribers</h2>
      {subs.isPending ? (
        <Loading what="Loading subscribers" />
      ) : subs.isError ? (
        <ErrorState error={subs.error} />
      ) : subs.data.rows.length === 0 ? (
        <p className="empty">No subscriptions yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="table stack" aria-label="Subscribers">
            <thead>
              <tr>
                <th scope="col">App</th>
                <th scope="col">Consumer org</th>
                <th scope="col">Plan</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {subs.data.rows.map((row) => (
                <Row
                  key={row.id}
                  orgSlug={orgSlug}
                  row={row}
                  canDecide={subs.data.canDecide}
                  onChanged={refresh}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
