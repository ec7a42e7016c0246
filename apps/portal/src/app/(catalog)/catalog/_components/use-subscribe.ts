'use client';

import { useMutation } from '@tanstack/react-query';
import { useTRPC } from '../../../../trpc/client';

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

export interface Started {
  appId: string;
  planId: string;
  status: string;
}

/**
 * Starts a subscription for one plan, with an existing app or a new one. The catalog's queries (the
 * plan statuses, the app picker) refresh through the client's mutation invalidation.
 */
export function useSubscribe(onStarted: (started: Started) => void) {
  const trpc = useTRPC();
  const existing = useMutation(
    trpc.subscription.create.mutationOptions({
      onSuccess: (s) => onStarted({ appId: s.appId, planId: s.planId, status: s.status }),
    }),
  );
  const withNewApp = useMutation(
    trpc.app.createAndSubscribe.mutationOptions({
      onSuccess: ({ subscription: s }) => onStarted({ appId: s.appId, planId: s.planId, status: s.status }),
    }),
  );
  const start = (subscriber: Subscriber, planId: string) => {
    existing.reset();
    withNewApp.reset();
    if (subscriber.kind === 'app') {
      existing.mutate({ orgSlug: subscriber.app.orgSlug, appId: subscriber.app.id, planId });
    } else {
      withNewApp.mutate({ planId, appName: subscriber.appName, orgSlug: subscriber.orgSlug });
    }
  };
  return {
    start,
    isPending: existing.isPending || withNewApp.isPending,
    error: existing.error ?? withNewApp.error,
  };
}
