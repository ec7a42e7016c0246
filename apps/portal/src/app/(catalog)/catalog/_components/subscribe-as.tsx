'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { describedBy, Field, FieldShell } from '~/components/ui/field';
import { Loading } from '../../../../components/form';
import { can } from '../../../../server/permissions';
import { useTRPC } from '../../../../trpc/client';
import type { SubscribableApp } from './use-subscribe';

/** The app select's value for "a new app". */
export const NEW_APP = 'new';

export interface NewAppDraft {
  name: string;
  orgSlug: string;
}

/** Where a new app can go: orgs whose role may create apps and subscribe them; none → a personal org. */
export function useAppHolders(enabled: boolean) {
  const trpc = useTRPC();
  const orgs = useQuery({ ...trpc.org.listMine.queryOptions(), enabled });
  return {
    isPending: orgs.isPending,
    holders: (orgs.data ?? []).filter(
      (org) => can(org.role, 'app.write') && can(org.role, 'subscription.create'),
    ),
  };
}

function NewAppFields({
  draft,
  onChange,
  errors,
  returnTo,
}: {
  draft: NewAppDraft;
  onChange: (draft: NewAppDraft) => void;
  errors: Record<string, string>;
  returnTo: string;
}) {
  const { isPending, holders } = useAppHolders(true);
  if (isPending) return <Loading what="Loading your organizations" />;
  const orgSlug = draft.orgSlug || holders[0]?.slug;
  return (
    <>
      <Field
        id="new-app-name"
        label="Name of the new app"
        required
        value={draft.name}
        error={errors.appName ?? errors.name}
        hint={
          holders.length === 0
            ? 'Subscribing creates the app, in a personal organization made for you.'
            : 'Subscribing creates the app. Its keys call the APIs it subscribes to.'
        }
        onChange={(e) => onChange({ ...draft, name: e.target.value })}
      />
      {orgSlug ? (
        <FieldShell
          id="new-app-org"
          label="Create it in"
          error={errors.orgSlug}
          hint={
            <>
              Or{' '}
              <Link href={`/o/${orgSlug}/apps/new?returnTo=${encodeURIComponent(returnTo)}`}>
                create the app on its own page
              </Link>{' '}
              and come back here.
            </>
          }
        >
          <select
            id="new-app-org"
            value={orgSlug}
            aria-describedby={describedBy('new-app-org', errors.orgSlug, true)}
            onChange={(e) => onChange({ ...draft, orgSlug: e.target.value })}
          >
            {holders.map((org) => (
              <option key={org.slug} value={org.slug}>
                {org.name}
              </option>
            ))}
          </select>
        </FieldShell>
      ) : null}
    </>
  );
}

/** Which app subscribes: one of the developer's apps, or a new one created while subscribing. */
export function SubscribeAs({
  apps,
  appId,
  onAppChange,
  draft,
  onDraftChange,
  errors,
  returnTo,
}: {
  apps: SubscribableApp[];
  appId: string;
  onAppChange: (id: string) => void;
  draft: NewAppDraft;
  onDraftChange: (draft: NewAppDraft) => void;
  errors: Record<string, string>;
  /** this page, for the way back from the app page */
  returnTo: string;
}) {
  return (
    <>
      {apps.length > 0 ? (
        <FieldShell id="subscribe-app" label="App">
          <select id="subscribe-app" value={appId} onChange={(e) => onAppChange(e.target.value)}>
            {apps.map((app) => (
              <option key={app.id} value={app.id}>
                {app.name} ({app.orgName})
              </option>
            ))}
            <option value={NEW_APP}>A new app…</option>
          </select>
        </FieldShell>
      ) : null}
      {appId === NEW_APP ? (
        <NewAppFields draft={draft} onChange={onDraftChange} errors={errors} returnTo={returnTo} />
      ) : null}
    </>
  );
}
