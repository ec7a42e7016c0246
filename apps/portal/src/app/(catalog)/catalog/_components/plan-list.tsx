'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { firstCall } from '~/components/key-snippets/first-call';
import { Button } from '~/components/ui/button';
import { buttonClasses } from '~/components/ui/button-classes';
import { FormMessage } from '~/components/ui/field';
import { ErrorState, Loading } from '../../../../components/form';
import { fieldErrors, formError, useTRPC } from '../../../../trpc/client';
import { FirstKey } from './first-key';
import { type CatalogPlan, type MySubscription, PlanCard } from './plan-card';
import { PlanConfirm } from './plan-confirm';
import { NEW_APP, type NewAppDraft, SubscribeAs, useAppHolders } from './subscribe-as';
import { type Started, type Subscriber, useSubscribe } from './use-subscribe';

const isOpen = (status: string | undefined) =>
  status === 'PENDING' || status === 'ACTIVE' || status === 'SUSPENDED';

function SignInToSubscribe({ back }: { back: string }) {
  const callbackUrl = encodeURIComponent(back);
  return (
    <p>
      <Link className={buttonClasses()} href={`/signup?callbackUrl=${callbackUrl}`}>
        Sign up to subscribe
      </Link>{' '}
      <span className="muted">
        or <Link href={`/signin?callbackUrl=${callbackUrl}`}>sign in</Link>. No organization or app needed
        first: subscribing sets them up.
      </span>
    </p>
  );
}

/**
 * Plans with limits and prices. Signed-in viewers subscribe one of their apps, or a new one made on
 * the way, to a plan (only while PUBLISHED); an active subscription leads straight to a key.
 */
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
  const picking = signedIn && canSubscribe;
  const apps = useQuery({ ...trpc.app.subscribable.queryOptions(), enabled: picking });
  const api = useQuery(trpc.catalog.get.queryOptions({ orgSlug, apiSlug }));
  const { holders } = useAppHolders(picking);
  const [chosenAppId, setChosenAppId] = useState('');
  const [draft, setDraft] = useState<NewAppDraft>({ name: 'My app', orgSlug: '' });
  const [started, setStarted] = useState<Started | null>(null);
  const [confirming, setConfirming] = useState<CatalogPlan | null>(null);
  const subscription = useSubscribe((s) => {
    setStarted(s);
    setChosenAppId(s.appId);
    setConfirming(null);
  });
  const appList = apps.data ?? [];
  const appId = chosenAppId || appList[0]?.id || NEW_APP;
  const selectedApp = appList.find((a) => a.id === appId);
  const subscriber: Subscriber | null = selectedApp
    ? { kind: 'app', app: selectedApp }
    : appId === NEW_APP
      ? { kind: 'new', appName: draft.name, orgSlug: draft.orgSlug || holders[0]?.slug }
      : null;
  const statusFor = (planId: string) =>
    mySubscriptions.find((s) => s.appId === appId && s.planId === planId && s.status !== 'CANCELLED') ??
    (started?.appId === appId && started.planId === planId
      ? { ...started, rejectionReason: null }
      : undefined);
  const active = plans.map((p) => statusFor(p.id)).find((s) => s?.status === 'ACTIVE');

  /** A free plan subscribes at once; a priced one first shows what it charges and asks to confirm. */
  const onSubscribe = (plan: CatalogPlan) => {
    if (!subscriber) return;
    if (plan.pricing.model === 'free') subscription.start(subscriber, plan.id);
    else setConfirming(plan);
  };

  return (
    <>
      {!signedIn ? <SignInToSubscribe back={`/catalog/${orgSlug}/${apiSlug}`} /> : null}
      {picking && apps.isPending ? <Loading what="Loading your apps" /> : null}
      {picking && apps.isError ? <ErrorState error={apps.error} /> : null}
      {picking && apps.isSuccess ? (
        <SubscribeAs
          apps={appList}
          appId={appId}
          onAppChange={setChosenAppId}
          draft={draft}
          onDraftChange={setDraft}
          errors={fieldErrors(subscription.error)}
          returnTo={`/catalog/${orgSlug}/${apiSlug}`}
        />
      ) : null}
      <FormMessage message={subscription.checkoutProblem ?? formError(subscription.error)} />
      {confirming && subscriber ? (
        <PlanConfirm
          plan={confirming}
          appName={subscriber.kind === 'app' ? subscriber.app.name : subscriber.appName}
          isPending={subscription.isPending}
          problem={subscription.checkoutProblem ?? formError(subscription.error)}
          onConfirm={() => subscription.start(subscriber, confirming.id)}
          onCancel={() => setConfirming(null)}
        />
      ) : null}
      {plans.length === 0 ? (
        <p className="empty">This API has no plans yet.</p>
      ) : (
        <ul className="plans" aria-label="Plans">
          {plans.map((plan) => {
            const existing = statusFor(plan.id);
            return (
              <PlanCard key={plan.id} plan={plan} status={existing}>
                {picking && subscriber && !isOpen(existing?.status) ? (
                  <Button
                    aria-label={`Subscribe to ${plan.name}`}
                    disabled={subscription.isPending}
                    onClick={() => onSubscribe(plan)}
                  >
                    {subscription.isPending ? 'Subscribing…' : 'Subscribe'}
                  </Button>
                ) : null}
              </PlanCard>
            );
          })}
        </ul>
      )}
      {active && selectedApp && api.data ? (
        <FirstKey
          key={selectedApp.id}
          app={selectedApp}
          apiName={api.data.name}
          call={firstCall(api.data.kind, api.data.gatewayBaseUrl, api.data.openapiSpec)}
        />
      ) : null}
    </>
  );
}
