'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { firstCall } from '~/components/key-snippets/first-call';
import { Button } from '~/components/ui/button';
import { EmptyState } from '~/components/ui/empty-state';
import { FormMessage } from '~/components/ui/field';
import { QueryState } from '~/components/ui/query-state';
import { fieldErrors, formError, useTRPC } from '~/trpc/client';
import { holdsPlan } from '../_lib/subscription-state';
import { FirstKey } from './first-key';
import { type CatalogPlan, type MySubscription, PlanCard } from './plan-card';
import { PlanConfirm } from './plan-confirm';
import { SignInToSubscribe } from './sign-in-to-subscribe';
import { SubscribeAs } from './subscribe-as';
import { usePlanPicker } from './use-plan-picker';
import { useSubscribe } from './use-subscribe';

/**
 * Plans with limits and prices. Signed-in viewers subscribe one of their apps, or a new one made on
 * the way, to a plan (only while PUBLISHED); an active subscription leads straight to a key.
 */
export function PlanList(props: {
  orgSlug: string;
  apiSlug: string;
  plans: CatalogPlan[];
  mySubscriptions: MySubscription[];
  canSubscribe: boolean;
  signedIn: boolean;
}) {
  const { orgSlug, apiSlug, plans, signedIn } = props;
  const trpc = useTRPC();
  const back = `/catalog/${orgSlug}/${apiSlug}`;
  const picking = signedIn && props.canSubscribe;
  const api = useQuery(trpc.catalog.get.queryOptions({ orgSlug, apiSlug }));
  const picker = usePlanPicker(picking, props.mySubscriptions);
  const { subscriber, selectedApp } = picker;
  const [confirming, setConfirming] = useState<CatalogPlan | null>(null);
  const subscription = useSubscribe((s) => {
    picker.onStarted(s);
    setConfirming(null);
  });
  const problem = subscription.checkoutProblem ?? formError(subscription.error);
  const active = plans.map((p) => picker.statusFor(p.id)).find((s) => s?.status === 'ACTIVE');

  /** A free plan subscribes at once; a priced one first shows what it charges and asks to confirm. */
  const onSubscribe = (plan: CatalogPlan) => {
    if (!subscriber) return;
    if (plan.pricing.model === 'free') subscription.start(subscriber, plan.id);
    else setConfirming(plan);
  };

  return (
    <>
      {!signedIn ? <SignInToSubscribe back={back} /> : null}
      {picking ? (
        <QueryState query={picker.apps} pendingLabel="Loading your apps">
          {(apps) => (
            <SubscribeAs
              apps={apps}
              appId={picker.appId}
              onAppChange={picker.chooseApp}
              draft={picker.draft}
              onDraftChange={picker.setDraft}
              errors={fieldErrors(subscription.error)}
              returnTo={back}
            />
          )}
        </QueryState>
      ) : null}
      <FormMessage message={problem} />
      {confirming && subscriber ? (
        <PlanConfirm
          plan={confirming}
          appName={subscriber.kind === 'app' ? subscriber.app.name : subscriber.appName}
          isPending={subscription.isPending}
          problem={problem}
          onConfirm={() => subscription.start(subscriber, confirming.id)}
          onCancel={() => setConfirming(null)}
        />
      ) : null}
      {plans.length === 0 ? (
        <EmptyState
          title="This API has no plans yet."
          description="Its provider has not opened it to subscriptions. Browse the catalog for other APIs."
          action={{ label: 'Browse the catalog', href: '/catalog' }}
        />
      ) : (
        <ul className="plans" aria-label="Plans">
          {plans.map((plan) => {
            const existing = picker.statusFor(plan.id);
            return (
              <PlanCard key={plan.id} plan={plan} status={existing} billingOrg={selectedApp?.orgSlug}>
                {picking && subscriber && !holdsPlan(existing?.status) ? (
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
