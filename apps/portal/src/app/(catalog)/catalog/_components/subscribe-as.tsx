'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { Described, describedBy, Loading } from '../../../../components/form';
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
export function useAppHolders() {
  const trpc = useTRPC();
  const orgs = useQuery(trpc.org.listMine.queryOptions());
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
  const { isPending, holders } = useAppHolders();
  if (isPending) return <Loading what="Loading your organizations" />;
  const nameError = errors.appName ?? errors.name;
  return (
    <>
      <div className="field">
        <label htmlFor="new-app-name">Name of the new app</label>
        <input
          id="new-app-name"
          value={draft.name}
          required
          aria-invalid={nameError ? true : undefined}
          aria-describedby={describedBy('new-app-name', nameError, 'hint')}
          onChange={(e) => onChange({ ...draft, name: e.target.value })}
        />
        <Described
          id="new-app-name"
          error={nameError}
          hint={
            holders.length === 0
              ? 'Subscribing creates the app, in a personal organization made for you.'
              : 'Subscribing creates the app. Its keys call the APIs it subscribes to.'
          }
        />
      </div>
      {holders.length > 0 ? (
        <div className="field">
          <label htmlFor="new-app-org">Create it in</label>
          <select
            id="new-app-org"
            value={draft.orgSlug || holders[0]?.slug}
            onChange={(e) => onChange({ ...draft, orgSlug: e.target.value })}
          >
            {holders.map((org) => (
              <option key={org.slug} value={org.slug}>
                {org.name}
              </option>
            ))}
          </select>
          <p className="hint">
            Or{' '}
            <Link
              href={`/o/${draft.orgSlug || holders[0]?.slug}/apps/new?returnTo=${encodeURIComponent(returnTo)}`}
            >
              create the app on its own page
            </Link>{' '}
            and come back here.
          </p>
        </div>
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
        <div className="field">
          <label htmlFor="subscribe-app">App</label>
          <select id="subscribe-app" value={appId} onChange={(e) => onAppChange(e.target.value)}>
            {apps.map((app) => (
              <option key={app.id} value={app.id}>
                {app.name} ({app.orgName})
              </option>
            ))}
            <option value={NEW_APP}>A new app…</option>
          </select>
        </div>
      ) : null}
      {appId === NEW_APP ? (
        <NewAppFields draft={draft} onChange={onDraftChange} errors={errors} returnTo={returnTo} />
      ) : null}
    </>
  );
}
