'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '~/trpc/client';
import { subscriptionFor } from '../_lib/subscription-state';
import type { NewAppDraft } from './new-app-fields';
import type { MySubscription } from './plan-card';
import { NEW_APP } from './subscribe-as';
import { useAppHolders } from './use-app-holders';
import type { Started, Subscriber } from './use-subscribe';

/**
 * Which app subscribes (one of the viewer's, or a new one made on the way) and where that app stands
 * with each plan: its subscriptions from the page's query, or the one just made.
 */
export function usePlanPicker(picking: boolean, mySubscriptions: MySubscription[]) {
  const trpc = useTRPC();
  const apps = useQuery({ ...trpc.app.subscribable.queryOptions(), enabled: picking });
  const { holders } = useAppHolders(picking);
  const [chosenAppId, setChosenAppId] = useState('');
  const [draft, setDraft] = useState<NewAppDraft>({ name: 'My app', orgSlug: '' });
  const [started, setStarted] = useState<Started | null>(null);
  const appList = apps.data ?? [];
  const appId = chosenAppId || appList[0]?.id || NEW_APP;
  const selectedApp = appList.find((a) => a.id === appId);
  const subscriber: Subscriber | null = selectedApp
    ? { kind: 'app', app: selectedApp }
    : appId === NEW_APP
      ? { kind: 'new', appName: draft.name, orgSlug: draft.orgSlug || holders[0]?.slug }
      : null;
  const statusFor = (planId: string): MySubscription | undefined =>
    subscriptionFor(mySubscriptions, started, appId, planId);
  return {
    apps,
    appId,
    selectedApp,
    subscriber,
    statusFor,
    chooseApp: setChosenAppId,
    draft,
    setDraft,
    /** Shows the subscription just made and keeps its app chosen. */
    onStarted: (s: Started) => {
      setStarted(s);
      setChosenAppId(s.appId);
    },
  };
}
