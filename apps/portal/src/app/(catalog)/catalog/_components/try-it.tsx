'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { type FormEvent, useState } from 'react';
import { Loading } from '../../../../components/form';
import { useTRPC } from '../../../../trpc/client';

// Words, not the status codes the plan cards show, so a page has one "PENDING" to look for.
const SUBSCRIPTION_WORDS: Record<string, string> = {
  ACTIVE: 'can call',
  PENDING: 'awaiting approval',
  SUSPENDED: 'suspended',
};

/** Which apps of the viewer may call this API, and the hints of their keys (never the keys). */
function KeyHint({ orgSlug, apiSlug }: { orgSlug: string; apiSlug: string }) {
  const trpc = useTRPC();
  const apps = useQuery(trpc.catalog.myApps.queryOptions({ orgSlug, apiSlug }));
  if (apps.isPending) return <Loading what="Looking for your apps" />;
  if (apps.isError) return null;
  if (apps.data.length === 0) {
    return (
      <p className="muted">
        None of your apps is subscribed yet: subscribe one of them to a plan below, then create a key on its
        page.
      </p>
    );
  }
  return (
    <ul className="list" aria-label="Subscribed with">
      {apps.data.map((app) => (
        <li key={app.appId}>
          <Link href={`/o/${app.orgSlug}/apps/${app.appId}`}>{app.appName}</Link>
          <span className={`badge status-${app.status.toLowerCase()}`}>
            {SUBSCRIPTION_WORDS[app.status] ?? app.status}
          </span>
          <span className="muted">
            {app.keys.length === 0
              ? 'no live keys'
              : app.keys.map((k) => `${k.name} (${k.prefix}…${k.last4})`).join(', ')}
          </span>
        </li>
      ))}
    </ul>
  );
}

/**
 * The key the reference's "try it" sends. Keys are shown once at creation, so the portal cannot fill
 * one in: the developer pastes it; it lives in this page's memory only and is never stored.
 */
export function TryItKey({
  orgSlug,
  apiSlug,
  signedIn,
  onKey,
}: {
  orgSlug: string;
  apiSlug: string;
  signedIn: boolean;
  onKey: (key: string) => void;
}) {
  const [key, setKey] = useState('');
  const [used, setUsed] = useState(false);
  if (!signedIn) {
    return (
      <p className="muted">
        <Link href={`/signin?callbackUrl=${encodeURIComponent(`/catalog/${orgSlug}/${apiSlug}`)}`}>
          Sign in
        </Link>{' '}
        to try this API with one of your keys.
      </p>
    );
  }
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    onKey(key.trim());
    setUsed(key.trim() !== '');
  }
  return (
    <>
      <KeyHint orgSlug={orgSlug} apiSlug={apiSlug} />
      <form className="row" onSubmit={onSubmit} aria-label="Key for try it">
        <div className="field">
          <label htmlFor="try-key">API key</label>
          <input
            id="try-key"
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder="pk_live_…"
            value={key}
            onChange={(e) => {
              setKey(e.target.value);
              setUsed(false);
            }}
            aria-describedby="try-key-hint"
          />
          <p id="try-key-hint" className="hint">
            Sent as a bearer token with the requests you try below, through the portal; never stored.
          </p>
        </div>
        <div className="form-actions">
          <button type="submit">Use this key</button>
          {used ? (
            <output className="muted" data-testid="try-key-used">
              Key in use
            </output>
          ) : null}
        </div>
      </form>
    </>
  );
}
