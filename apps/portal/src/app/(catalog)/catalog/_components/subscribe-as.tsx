'use client';

import { FieldShell } from '~/components/ui/field';
import { type NewAppDraft, NewAppFields } from './new-app-fields';
import type { SubscribableApp } from './use-subscribe';

/** The app select's value for "a new app". */
export const NEW_APP = 'new';

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
