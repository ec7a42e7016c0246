'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { ErrorState, FormError, formatLimits, Loading } from '../../../../../components/form';
import { formError, useTRPC } from '../../../../../trpc/client';

const isOpen = (status: string | undefined) =>
  status === 'PENDING' || status === 'ACTIVE' || status === 'SUSPENDED';

export default function CatalogApiPage() {
  const { orgSlug, apiSlug } = useParams<{ orgSlug: string; apiSlug: string }>();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const api = useQuery(trpc.catalog.get.queryOptions({ orgSlug, apiSlug }));
  const apps = useQuery(trpc.app.subscribable.queryOptions());
  const [chosenAppId, setChosenAppId] = useState<string | null>(null);
  const appId = chosenAppId ?? apps.data?.[0]?.id ?? '';
  const subscribe = useMutation(
    trpc.subscription.create.mutationOptions({
      onSuccess: () =>
        queryClient.invalidateQueries({ queryKey: trpc.catalog.get.queryKey({ orgSlug, apiSlug }) }),
    }),
  );

  if (api.isPending) return <Loading what="Loading API" />;
  if (api.isError) return <ErrorState error={api.error} />;
  const data = api.data;
  const selectedApp = apps.data?.find((a) => a.id === appId);
  const statusFor = (planId: string) =>
    data.mySubscriptions.find((s) => s.appId === appId && s.planId === planId && s.status !== 'CANCELLED');

  return (
    <>
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link href="/catalog">Catalog</Link>
      </nav>
      <div className="page-head">
        <h1>{data.name}</h1>
        <span className="badge">{data.status}</span>
      </div>
      <section className="card">
        <p className="muted">
          by {data.org.name} · version {data.version}
        </p>
        {data.description ? <p>{data.description}</p> : <p className="muted">No description.</p>}
        <h2>Base URL</h2>
        <p>
          <code data-testid="gateway-url">{data.gatewayBaseUrl}</code>
        </p>
        <pre className="code">{`curl -H "Authorization: Bearer $PORTCULLIS_KEY" ${data.gatewayBaseUrl}`}</pre>
      </section>

      <section className="card">
        <h2>Plans</h2>
        {apps.isPending ? (
          <Loading what="Loading your apps" />
        ) : apps.isError ? (
          <ErrorState error={apps.error} />
        ) : apps.data.length === 0 ? (
          <p className="empty">
            You need an app to subscribe. Create one from one of your organizations on the{' '}
            <Link href="/dashboard">dashboard</Link>.
          </p>
        ) : (
          <div className="field">
            <label htmlFor="subscribe-app">App</label>
            <select id="subscribe-app" value={appId} onChange={(e) => setChosenAppId(e.target.value)}>
              {apps.data.map((app) => (
                <option key={app.id} value={app.id}>
                  {app.name} ({app.orgName})
                </option>
              ))}
            </select>
          </div>
        )}
        <FormError message={formError(subscribe.error)} />
        {data.plans.length === 0 ? (
          <p className="empty">This API has no plans yet.</p>
        ) : (
          <ul className="plans">
            {data.plans.map((plan) => {
              const existing = statusFor(plan.id);
              const justCreated =
                subscribe.data && subscribe.data.planId === plan.id && subscribe.data.appId === appId;
              const status = existing?.status ?? (justCreated ? subscribe.data?.status : undefined);
              return (
                <li key={plan.id} className="plan">
                  <h3>{plan.name}</h3>
                  <p>{formatLimits(plan)}</p>
                  <p className="muted">
                    {plan.requiresApproval ? 'The provider approves each subscription.' : 'Instant access.'}
                  </p>
                  {status ? (
                    <p>
                      Status: <span className={`badge status-${status.toLowerCase()}`}>{status}</span>
                      {existing?.rejectionReason ? (
                        <span className="muted"> — {existing.rejectionReason}</span>
                      ) : null}
                    </p>
                  ) : null}
                  {selectedApp && !isOpen(status) ? (
                    <button
                      type="button"
                      aria-label={`Subscribe to ${plan.name}`}
                      disabled={subscribe.isPending}
                      onClick={() =>
                        subscribe.mutate({
                          orgSlug: selectedApp.orgSlug,
                          appId: selectedApp.id,
                          planId: plan.id,
                        })
                      }
                    >
                      Subscribe
                    </button>
                  ) : null}
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </>
  );
}
