'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ErrorState, Field, FormError, Loading } from '../../../../../../../components/form';
import { fieldErrors, formError, useTRPC } from '../../../../../../../trpc/client';
import { keyState, relativeTime } from './key-time';

/** Grace periods offered when rotating (the server accepts 1 h … 7 days). */
const GRACE_OPTIONS = [
  { seconds: 3600, label: '1 hour' },
  { seconds: 6 * 3600, label: '6 hours' },
  { seconds: 24 * 3600, label: '1 day' },
  { seconds: 3 * 24 * 3600, label: '3 days' },
  { seconds: 7 * 24 * 3600, label: '7 days' },
];

function NewKey({
  plaintext,
  title,
  onDismiss,
}: {
  plaintext: string;
  title: string;
  onDismiss: () => void;
}) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="new-key" role="status">
      <p>
        <strong>{title}</strong> Copy it now: it won&apos;t be shown again.
      </p>
      <div className="key-line">
        <code data-testid="new-key">{plaintext}</code>
        <button
          type="button"
          className="secondary"
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(plaintext);
              setCopied(true);
            } catch {
              setCopied(false);
            }
          }}
        >
          Copy
        </button>
        {copied ? <span className="muted">Copied</span> : null}
      </div>
      <button type="button" className="link" onClick={onDismiss}>
        I have stored it safely
      </button>
    </div>
  );
}

interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  last4: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  expiresAt: Date | null;
}

function KeyItem({
  orgSlug,
  keyRow,
  canWrite,
  onChanged,
  onRotated,
}: {
  orgSlug: string;
  keyRow: KeyRow;
  canWrite: boolean;
  onChanged: () => Promise<void>;
  onRotated: (plaintext: string) => void;
}) {
  const trpc = useTRPC();
  const [mode, setMode] = useState<'idle' | 'revoke' | 'rotate'>('idle');
  const [grace, setGrace] = useState(String(24 * 3600));
  const done = async () => {
    setMode('idle');
    await onChanged();
  };
  const revoke = useMutation(trpc.key.revoke.mutationOptions({ onSuccess: done }));
  const rotate = useMutation(
    trpc.key.rotate.mutationOptions({
      onSuccess: async (result) => {
        onRotated(result.plaintext);
        await done();
      },
    }),
  );
  const now = Date.now();
  const state = keyState(keyRow, now);
  const label = `${keyRow.prefix}…${keyRow.last4}`;
  return (
    <tr>
      <td data-label="Name">{keyRow.name}</td>
      <td data-label="Key">
        <code>{label}</code>
      </td>
      <td data-label="Status">
        <span
          className={`badge ${state === 'active' || state === 'expiring' ? 'status-active' : 'status-revoked'}`}
        >
          {state}
        </span>
      </td>
      <td data-label="Expires">
        {keyRow.expiresAt ? (
          <time dateTime={keyRow.expiresAt.toISOString()} title={keyRow.expiresAt.toLocaleString()}>
            {relativeTime(keyRow.expiresAt, now)}
          </time>
        ) : (
          'never'
        )}
      </td>
      <td data-label="Last used">
        {keyRow.lastUsedAt ? (
          <time dateTime={keyRow.lastUsedAt.toISOString()} title={keyRow.lastUsedAt.toLocaleString()}>
            {relativeTime(keyRow.lastUsedAt, now)}
          </time>
        ) : (
          'never'
        )}
      </td>
      <td>
        {canWrite && (state === 'active' || state === 'expiring') ? (
          <div className="actions">
            {mode === 'idle' ? (
              <>
                <button
                  type="button"
                  className="secondary"
                  onClick={() => setMode('rotate')}
                  aria-label={`Rotate ${keyRow.name} (${label})`}
                >
                  Rotate
                </button>
                <button
                  type="button"
                  className="danger"
                  onClick={() => setMode('revoke')}
                  aria-label={`Revoke ${keyRow.name} (${label})`}
                >
                  Revoke
                </button>
              </>
            ) : null}
            {mode === 'revoke' ? (
              <div className="confirm">
                <span>Requests with this key will be refused.</span>
                <button
                  type="button"
                  className="danger"
                  disabled={revoke.isPending}
                  onClick={() => revoke.mutate({ orgSlug, keyId: keyRow.id })}
                >
                  Confirm
                </button>
                <button type="button" className="secondary" onClick={() => setMode('idle')}>
                  Cancel
                </button>
              </div>
            ) : null}
            {mode === 'rotate' ? (
              <div className="confirm">
                <div className="field inline">
                  <label htmlFor={`grace-${keyRow.id}`}>Old key keeps working for</label>
                  <select id={`grace-${keyRow.id}`} value={grace} onChange={(e) => setGrace(e.target.value)}>
                    {GRACE_OPTIONS.map((o) => (
                      <option key={o.seconds} value={o.seconds}>
                        {o.label}
                      </option>
                    ))}
                  </select>
                </div>
                <button
                  type="button"
                  disabled={rotate.isPending}
                  onClick={() => rotate.mutate({ orgSlug, keyId: keyRow.id, graceSeconds: Number(grace) })}
                >
                  {rotate.isPending ? 'Rotating…' : 'Rotate key'}
                </button>
                <button type="button" className="secondary" onClick={() => setMode('idle')}>
                  Cancel
                </button>
              </div>
            ) : null}
            <FormError
              message={
                formError(revoke.error) ?? formError(rotate.error) ?? fieldErrors(rotate.error).graceSeconds
              }
            />
          </div>
        ) : null}
      </td>
    </tr>
  );
}

/** The app's keys: create (shown once), rotate with a grace period, revoke; expiry and last use. */
export function Keys({ orgSlug, appId, canWrite }: { orgSlug: string; appId: string; canWrite: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [expiry, setExpiry] = useState('');
  const [shown, setShown] = useState<{ plaintext: string; title: string } | null>(null);
  const keys = useQuery(trpc.key.list.queryOptions({ orgSlug, appId }));
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.key.list.queryKey({ orgSlug, appId }) });
  const create = useMutation(
    trpc.key.create.mutationOptions({
      onSuccess: async (result) => {
        setShown({ plaintext: result.plaintext, title: 'Your new key.' });
        setName('');
        setExpiry('');
        await refresh();
      },
    }),
  );
  const errors = fieldErrors(create.error);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    // An expiry date means the end of that day (UTC).
    create.mutate({ orgSlug, appId, name, expiresAt: expiry ? `${expiry}T23:59:59Z` : null });
  }

  return (
    <section className="card" aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      {canWrite ? (
        <form className="inline-form" onSubmit={onSubmit} noValidate>
          <Field
            id="key-name"
            label="Key name"
            required
            value={name}
            error={errors.name}
            onChange={(e) => setName(e.target.value)}
          />
          <Field
            id="key-expiry"
            label="Expires (optional)"
            type="date"
            value={expiry}
            error={errors.expiresAt}
            onChange={(e) => setExpiry(e.target.value)}
          />
          <button type="submit" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create key'}
          </button>
        </form>
      ) : null}
      <FormError message={formError(create.error)} />
      {shown ? (
        <NewKey plaintext={shown.plaintext} title={shown.title} onDismiss={() => setShown(null)} />
      ) : null}
      {keys.isPending ? (
        <Loading what="Loading keys" />
      ) : keys.isError ? (
        <ErrorState error={keys.error} />
      ) : keys.data.length === 0 ? (
        <p className="empty">No keys yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="table stack" aria-label="API keys">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Status</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.data.map((key) => (
                <KeyItem
                  key={key.id}
                  orgSlug={orgSlug}
                  keyRow={key}
                  canWrite={canWrite}
                  onChanged={refresh}
                  onRotated={(plaintext) =>
                    setShown({
                      plaintext,
                      title: `The new key replacing ${key.name}. The old one keeps working for the grace period.`,
                    })
                  }
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
