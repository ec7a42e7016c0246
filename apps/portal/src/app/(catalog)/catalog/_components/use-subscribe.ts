'use client';

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '~/trpc/client';
import { checkoutReturn } from '../_lib/subscription-state';

/** An app the signed-in developer may subscribe with (`app.subscribable`). */
export interface SubscribableApp {
  id: string;
  name: string;
  orgSlug: string;
  orgName: string;
}

/** Who subscribes: an existing app, or a new one made on the way (in `orgSlug`, or a personal org). */
export type Subscriber =
  | { kind: 'app'; app: SubscribableApp }
  | { kind: 'new'; appName: string; orgSlug: string | undefined };

/** A subscription just made, as the subscribe answer describes it. */
export interface Started {
  id: string;
  appId: string;
  planId: string;
  status: string;
  pendingReason: string | null;
}

/**
 * Starts a subscription for one plan, with an existing app or a new one. A plan that waits for a payment
 * method answers with a Stripe Checkout URL, and the browser goes there; when Stripe cannot be reached,
 * `checkoutProblem` says so. The catalog's queries (the plan statuses, the app picker) refresh through
 * the client's mutation invalidation.
 */
export function useSubscribe(onStarted: (started: Started) => void) {
  const trpc = useTRPC();
  const [checkoutProblem, setCheckoutProblem] = useState<string | null>(null);
  const started = (s: Started & { checkoutUrl?: string | undefined; checkoutError?: string | undefined }) => {
    if (s.checkoutUrl) {
      window.location.assign(s.checkoutUrl);
      return;
    }
    if (s.checkoutError) {
      setCheckoutProblem(
        `Subscribed, but the payment page could not be opened (${s.checkoutError}). Add a payment method from Billing.`,
      );
    }
    onStarted({
      id: s.id,
      appId: s.appId,
      planId: s.planId,
      status: s.status,
      pendingReason: s.pendingReason,
    });
  };
  const existing = useMutation(trpc.subscription.create.mutationOptions({ onSuccess: started }));
  const withNewApp = useMutation(
    trpc.app.createAndSubscribe.mutationOptions({ onSuccess: ({ subscription }) => started(subscription) }),
  );
  const start = (subscriber: Subscriber, planId: string) => {
    existing.reset();
    withNewApp.reset();
    setCheckoutProblem(null);
    if (subscriber.kind === 'app') {
      const { orgSlug, id: appId } = subscriber.app;
      existing.mutate({ orgSlug, appId, planId, ...checkoutReturn(window.location.origin, orgSlug) });
    } else {
      withNewApp.mutate({
        planId,
        appName: subscriber.appName,
        orgSlug: subscriber.orgSlug,
        // The server puts the slug of the org that holds the app (maybe a new personal one) for {org}.
        ...checkoutReturn(window.location.origin, subscriber.orgSlug ?? '{org}'),
      });
    }
  };
  return {
    start,
    isPending: existing.isPending || withNewApp.isPending,
    error: existing.error ?? withNewApp.error,
    checkoutProblem,
  };
}
