'use client';

import Link from 'next/link';
import { describedBy, Field, FieldShell } from '~/components/ui/field';
import { QueryState } from '~/components/ui/query-state';
import { appHolders, useAppHolders } from './use-app-holders';

export interface NewAppDraft {
  name: string;
  orgSlug: string;
}

/** The name of an app made while subscribing, and the org to make it in (none → a personal org). */
export function NewAppFields({
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
  const { orgs } = useAppHolders(true);
  return (
    <QueryState query={orgs} pendingLabel="Loading your organizations">
      {(list) => {
        const holders = appHolders(list);
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
      }}
    </QueryState>
  );
}
