'use client';

import type { PlanPricing } from '@portcullis/core/billing/pricing';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { ErrorState, FormError, formatLimits, Loading } from '../../../../components/form';
import { formError, useTRPC } from '../../../../trpc/client';
import { pricingDetails, pricingHeadline } from '../_lib/price-text';
import { PlanConfirm } from './plan-confirm';

interface CatalogPlan {
  id: string;
  name: string;
  description: string;
  rateLimit: number | null;
  rateLimitWindowSeconds: number;
  monthlyQuota: number | null;
  requiresApproval: boolean;
  pricing: PlanPricing;
}

interface MySubscription {
  appId: string;
  planId: string;
  status: string;
  rejectionReason: string | null;
}

const isOpen = (status: string | undefined) =>
  status === 'PENDING' || status === 'ACTIVE' || status === 'SUSPENDED';

function AppPicker({ appId, onChange }: { appId: string; onChange: (id: string) => void }) {
  const trpc = useTRPC();
  const apps = useQuery(trpc.app.subscribable.queryOptions());
  if (apps.isPending) return <Loading what="Loading your apps" />;
  if (apps.isError) return <ErrorState error={apps.error} />;
  if (apps.data.length === 0) {
    return (
      <p className="empty">
        You need an app to subscribe. Create one from one of your organizations on the{' '}
        <Link href="/dashboard">dashboard</Link>.
      </p>
    );
  }
  return (
    <div className="field">
      <label htmlFor="subscribe-app">App</label>
      <select id="subscribe-app" value={appId || apps.data[0]?.id} onChange={(e) => onChange(e.target.value)}>
        {apps.data.map((app) => (
          <option key={app.id} value={app.id}>
            {app.name} ({app.orgName})
          </option>
        ))}
      </select>
    </div>
  );
}

/** Plans with limits and prices; signed-in viewers subscribe an app to one (only while PUBLISHED). */
export function PlanList({
  orgSlug,
  apiSlug,
  plans,
  mySubscriptions,
  canSubscribe,
  signedIn,
}: {
  orgSlug: string;
  apiSlug: string;
  plans: CatalogPlan[];
  mySubscriptions: MySubscription[];
  canSubscribe: boolean;
  signedIn: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const apps = useQuery({ ...trpc.app.subscribable.queryOptions(), enabled: signedIn && canSubscribe });
  const [chosenAppId, setChosenAppId] = useState('');
  const appId = chosenAppId || apps.data?.[0]?.id || '';
  const selectedApp = apps.data?.find((a) => a.id === appId);
  const subscribe = useMutation(
    trpc.subscription.create.mutationOptions({
      onSuccess: () =>
        queryClient.invalidateQueries({ queryKey: trpc.catalog.get.queryKey({ orgSlug, apiSlug }) }),
    }),
  );
  const statusFor = (planId: string) =>
    mySubscriptions.find((s) => s.appId === appId && s.planId === planId && s.status !== 'CANCELLED');

  return (
    <>
      {signedIn && canSubscribe ? <AppPicker appId={appId} onChange={setChosenAppId} /> : null}
      {!signedIn ? (
        <p className="muted">
          <Link href={`/signin?callbackUrl=${encodeURIComponent(`/catalog/${orgSlug}/${apiSlug}`)}`}>
            Sign in
          </Link>{' '}
          to subscribe.
        </p>
      ) : null}
      <FormError message={formError(subscribe.error)} />
      {plans.length === 0 ? (
        <p className="empty">This API has no plans yet.</p>
      ) : (
        <ul className="plans" aria-label="Plans">
          {plans.map((plan) => {
            const existing = statusFor(plan.id);
            const justCreated =
              subscribe.data && subscribe.data.planId === plan.id && subscribe.data.appId === appId;
            const status = existing?.status ?? (justCreated ? subscribe.data?.status : undefined);
            return (
              <li key={plan.id} className="plan">
                <h3>{plan.name}</h3>
                <p>
                  <strong data-testid="plan-price">{pricingHeadline(plan.pricing)}</strong>
                </p>
                {plan.description ? <p>{plan.description}</p> : null}
                <p>{formatLimits(plan)}</p>
                <ul className="muted">
                  {pricingDetails(plan.pricing).map((line) => (
                    <li key={line}>{line}</li>
                  ))}
                </ul>
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
                {canSubscribe && selectedApp && !isOpen(status) ? (
                  <PlanConfirm
                    plan={plan}
                    appName={selectedApp.name}
                    input={{ orgSlug: selectedApp.orgSlug, appId: selectedApp.id, planId: plan.id }}
                    subscribe={subscribe}
                  />
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
