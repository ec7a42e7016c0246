'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { ErrorState, Field, FormError, formatLimits, Loading } from '../../../../../../components/form';
import { OrgCrumb } from '../../../../../../components/org-crumb';
import { fieldErrors, formError, useTRPC } from '../../../../../../trpc/client';

const formatDate = (d: Date | null) => (d ? d.toLocaleString() : 'never');

function Usage({ orgSlug, subscriptionId }: { orgSlug: string; subscriptionId: string }) {
  const trpc = useTRPC();
  const usage = useQuery(trpc.usage.forSubscription.queryOptions({ orgSlug, subscriptionId }));
  if (usage.isPending) return <span className="muted">Loading usage…</span>;
  if (usage.isError) return <span className="field-error">Usage unavailable</span>;
  const { used, quota } = usage.data;
  return (
    <span data-testid="usage">
      {quota === null ? `${used} requests this month` : `${used} / ${quota} requests this month`}
    </span>
  );
}

function Subscriptions({ orgSlug, appId }: { orgSlug: string; appId: string }) {
  const trpc = useTRPC();
  const subs = useQuery(trpc.subscription.listMine.queryOptions({ orgSlug, appId }));
  return (
    <section className="card">
      <h2>Subscriptions</h2>
      {subs.isPending ? (
        <Loading what="Loading subscriptions" />
      ) : subs.isError ? (
        <ErrorState error={subs.error} />
      ) : subs.data.length === 0 ? (
        <p className="empty">
          No subscriptions yet. Find an API in the <Link href="/catalog">catalog</Link> and subscribe this
          app.
        </p>
      ) : (
        <ul className="list">
          {subs.data.map((sub) => (
            <li key={sub.id} className="sub">
              <div>
                <Link href={`/catalog/${sub.plan.api.org.slug}/${sub.plan.api.slug}`}>
                  {sub.plan.api.name}
                </Link>{' '}
                <span className="muted">
                  {sub.plan.name} · {formatLimits(sub.plan)}
                </span>
              </div>
              <div className="sub-meta">
                <span className={`badge status-${sub.status.toLowerCase()}`}>{sub.status}</span>
                {sub.rejectionReason ? <span className="muted">Reason: {sub.rejectionReason}</span> : null}
                <Usage orgSlug={orgSlug} subscriptionId={sub.id} />
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function NewKey({ plaintext, onDismiss }: { plaintext: string; onDismiss: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="new-key" role="status">
      <p>
        <strong>Your new key.</strong> Copy it now: it won't be shown again.
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
}

function KeyItem({
  orgSlug,
  keyRow,
  onRevoked,
}: {
  orgSlug: string;
  keyRow: KeyRow;
  onRevoked: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const [confirming, setConfirming] = useState(false);
  const revoke = useMutation(
    trpc.key.revoke.mutationOptions({
      onSuccess: async () => {
        setConfirming(false);
        await onRevoked();
      },
    }),
  );
  const active = keyRow.revokedAt === null;
  return (
    <tr>
      <td data-label="Name">{keyRow.name}</td>
      <td data-label="Key">
        <code>
          {keyRow.prefix}…{keyRow.last4}
        </code>
      </td>
      <td data-label="Status">
        <span className={`badge ${active ? 'status-active' : 'status-revoked'}`}>
          {active ? 'active' : 'revoked'}
        </span>
      </td>
      <td data-label="Created">{formatDate(keyRow.createdAt)}</td>
      <td data-label="Last used">{formatDate(keyRow.lastUsedAt)}</td>
      <td>
        <div className="actions">
          {active && !confirming ? (
            <button type="button" className="danger" onClick={() => setConfirming(true)}>
              Revoke
            </button>
          ) : null}
          {active && confirming ? (
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
              <button type="button" className="secondary" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </div>
          ) : null}
          {revoke.error ? <p className="form-error">{revoke.error.message}</p> : null}
        </div>
      </td>
    </tr>
  );
}

function Keys({ orgSlug, appId }: { orgSlug: string; appId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [plaintext, setPlaintext] = useState<string | null>(null);
  const keys = useQuery(trpc.key.list.queryOptions({ orgSlug, appId }));
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.key.list.queryKey({ orgSlug, appId }) });
  const create = useMutation(
    trpc.key.create.mutationOptions({
      onSuccess: async (result) => {
        setPlaintext(result.plaintext);
        setName('');
        await refresh();
      },
    }),
  );
  const errors = fieldErrors(create.error);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ orgSlug, appId, name });
  }

  return (
    <section className="card">
      <h2>API keys</h2>
      <form className="inline-form" onSubmit={onSubmit} noValidate>
        <Field
          id="key-name"
          label="Key name"
          required
          value={name}
          error={errors.name}
          onChange={(e) => setName(e.target.value)}
        />
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create key'}
        </button>
      </form>
      <FormError message={formError(create.error)} />
      {plaintext ? <NewKey plaintext={plaintext} onDismiss={() => setPlaintext(null)} /> : null}
      {keys.isPending ? (
        <Loading what="Loading keys" />
      ) : keys.isError ? (
        <ErrorState error={keys.error} />
      ) : keys.data.length === 0 ? (
        <p className="empty">No keys yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="table stack">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.data.map((key) => (
                <KeyItem key={key.id} orgSlug={orgSlug} keyRow={key} onRevoked={refresh} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export default function AppDetailPage() {
  const { slug, appId } = useParams<{ slug: string; appId: string }>();
  const trpc = useTRPC();
  const app = useQuery(trpc.app.get.queryOptions({ orgSlug: slug, appId }));
  if (app.isPending) return <Loading what="Loading app" />;
  if (app.isError) return <ErrorState error={app.error} />;
  return (
    <>
      <OrgCrumb slug={slug} section={{ label: 'Apps', href: `/o/${slug}/apps` }} />
      <h1>{app.data.name}</h1>
      <Subscriptions orgSlug={slug} appId={appId} />
      <Keys orgSlug={slug} appId={appId} />
    </>
  );
}
