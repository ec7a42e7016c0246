'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { ErrorState, FormError, formatLimits, Loading } from '../../../../../../../components/form';
import { formError, useTRPC } from '../../../../../../../trpc/client';

function Usage({ orgSlug, subscriptionId }: { orgSlug: string; subscriptionId: string }) {
  const trpc = useTRPC();
  const usage = useQuery(trpc.usage.forSubscription.queryOptions({ orgSlug, subscriptionId }));
  if (usage.isPending) return <span className="muted">Loading usage…</span>;
  if (usage.isError) return <span className="field-error">Usage unavailable</span>;
  const { used, quota } = usage.data;
  return (
    <span data-testid="usage">
      {quota === null ? `${used} requests this month` : `${used} / ${quota} requests this month`}
    </span>
  );
}

const OPEN = new Set(['PENDING', 'ACTIVE', 'SUSPENDED']);

function CancelButton({
  orgSlug,
  subscriptionId,
  apiName,
  onDone,
}: {
  orgSlug: string;
  subscriptionId: string;
  apiName: string;
  onDone: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const [confirming, setConfirming] = useState(false);
  const cancel = useMutation(trpc.subscription.cancel.mutationOptions({ onSuccess: onDone }));
  if (!confirming) {
    return (
      <button
        type="button"
        className="secondary"
        onClick={() => setConfirming(true)}
        aria-label={`Cancel subscription to ${apiName}`}
      >
        Cancel subscription
      </button>
    );
  }
  return (
    <span className="confirm">
      <span>Calls with this app&apos;s keys will be refused.</span>
      <button
        type="button"
        className="danger"
        disabled={cancel.isPending}
        onClick={() => cancel.mutate({ orgSlug, subscriptionId })}
      >
        {cancel.isPending ? 'Cancelling…' : 'Confirm cancel'}
      </button>
      <button type="button" className="secondary" onClick={() => setConfirming(false)}>
        Keep it
      </button>
      <FormError message={formError(cancel.error)} />
    </span>
  );
}

/** The app's subscriptions: status, usage, deprecation notices and the consumer's cancel. */
export function Subscriptions({
  orgSlug,
  appId,
  canCancel,
}: {
  orgSlug: string;
  appId: string;
  canCancel: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const subs = useQuery(trpc.subscription.listMine.queryOptions({ orgSlug, appId }));
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.subscription.listMine.queryKey({ orgSlug, appId }) });
  return (
    <section className="card" aria-labelledby="subscriptions-title">
      <h2 id="subscriptions-title">Subscriptions</h2>
      {subs.isPending ? (
        <Loading what="Loading subscriptions" />
      ) : subs.isError ? (
        <ErrorState error={subs.error} />
      ) : subs.data.length === 0 ? (
        <p className="empty">
          No subscriptions yet. Find an API in the <Link href="/catalog">catalog</Link> and subscribe this
          app.
        </p>
      ) : (
        <ul className="list" aria-label="Subscriptions">
          {subs.data.map((sub) => (
            <li key={sub.id} className="sub">
              <div>
                <Link href={`/catalog/${sub.plan.api.org.slug}/${sub.plan.api.slug}`}>
                  {sub.plan.api.name}
                </Link>{' '}
                <span className="muted">
                  {sub.plan.name} · {formatLimits(sub.plan)}
                </span>
                {sub.plan.api.status === 'DEPRECATED' && OPEN.has(sub.status) ? (
                  <p className="form-error" role="status">
                    This API is deprecated
                    {sub.plan.api.sunsetAt
                      ? ` and stops answering on ${sub.plan.api.sunsetAt.toISOString().slice(0, 10)}`
                      : ''}
                    .
                  </p>
                ) : null}
                {sub.plan.api.status === 'RETIRED' ? <p className="muted">This API is retired.</p> : null}
              </div>
              <div className="sub-meta">
                <span className={`badge status-${sub.status.toLowerCase()}`}>{sub.status}</span>
                {sub.rejectionReason ? <span className="muted">Reason: {sub.rejectionReason}</span> : null}
                <Usage orgSlug={orgSlug} subscriptionId={sub.id} />
                {canCancel && OPEN.has(sub.status) ? (
                  <CancelButton
                    orgSlug={orgSlug}
                    subscriptionId={sub.id}
                    apiName={sub.plan.api.name}
                    onDone={refresh}
                  />
                ) : null}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
