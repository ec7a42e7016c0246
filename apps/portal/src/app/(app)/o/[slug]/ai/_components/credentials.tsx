'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import {
  errorFor,
  lines,
  SavedNote,
  SelectField,
  TextAreaField,
} from '../../../../../../components/config-fields';
import { ErrorState, Field, FormError, Loading } from '../../../../../../components/form';
import { fieldErrors, formError, useTRPC } from '../../../../../../trpc/client';
import { RowActions } from './row-actions';

interface CredentialRow {
  id: string;
  name: string;
  provider: string;
  baseUrl: string | null;
  apiVersion: string | null;
  headers: unknown;
  secretHint: string;
  updatedAt: Date;
}

const headerLines = (headers: unknown) =>
  Object.entries((headers ?? {}) as Record<string, string>)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');

function parseHeaders(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines(text)) {
    const at = line.indexOf(':');
    out[(at < 0 ? line : line.slice(0, at)).trim()] = at < 0 ? '' : line.slice(at + 1).trim();
  }
  return out;
}

/** Add (no `row`) or edit one credential. The secret field is write-only: blank on edit keeps the stored one. */
function CredentialForm({
  orgSlug,
  row,
  onDone,
}: {
  orgSlug: string;
  row?: CredentialRow;
  onDone: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const providers = useQuery(trpc.ai.providers.queryOptions({ orgSlug }));
  const [name, setName] = useState(row?.name ?? '');
  const [provider, setProvider] = useState(row?.provider ?? 'openai');
  const [baseUrl, setBaseUrl] = useState(row?.baseUrl ?? '');
  const [apiVersion, setApiVersion] = useState(row?.apiVersion ?? '');
  const [headers, setHeaders] = useState(headerLines(row?.headers));
  const [secret, setSecret] = useState('');
  const [saved, setSaved] = useState(false);
  const done = {
    onSuccess: async () => {
      setSecret('');
      setSaved(true);
      if (!row) {
        setName('');
        setBaseUrl('');
        setApiVersion('');
        setHeaders('');
      }
      await onDone();
    },
  };
  const create = useMutation(trpc.ai.createCredential.mutationOptions(done));
  const update = useMutation(trpc.ai.updateCredential.mutationOptions(done));
  const mutation = row ? update : create;
  const errors = fieldErrors(mutation.error);
  const info = providers.data?.find((p) => p.id === provider);
  const prefix = row ? `cred-${row.id}` : 'cred-new';

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    const fields = { orgSlug, name, baseUrl, apiVersion, headers: parseHeaders(headers) };
    if (row) update.mutate({ ...fields, credentialId: row.id, ...(secret ? { secret } : {}) });
    else create.mutate({ ...fields, provider, secret });
  }

  return (
    <form
      className="card"
      onSubmit={onSubmit}
      noValidate
      aria-label={row ? `Edit ${row.name}` : 'Add a credential'}
    >
      {row ? null : <h3>Add a credential</h3>}
      <div className="row">
        <Field
          id={`${prefix}-name`}
          label="Name"
          value={name}
          error={errors.name}
          onChange={(e) => setName(e.target.value)}
        />
        {row ? (
          <p className="field">
            Provider <span className="badge">{row.provider}</span>
          </p>
        ) : (
          <SelectField
            id={`${prefix}-provider`}
            label="Provider"
            value={provider}
            error={errors.provider}
            options={(providers.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
            onChange={(e) => setProvider(e.target.value)}
          />
        )}
      </div>
      <div className="row">
        <Field
          id={`${prefix}-base-url`}
          label={info?.needsBaseUrl ? 'Endpoint URL' : 'Endpoint URL (optional)'}
          type="url"
          placeholder={provider === 'azure' ? 'https://my-resource.openai.azure.com' : 'the provider default'}
          value={baseUrl}
          error={errors.baseUrl}
          onChange={(e) => setBaseUrl(e.target.value)}
        />
        {info?.needsApiVersion || apiVersion ? (
          <Field
            id={`${prefix}-api-version`}
            label="API version"
            placeholder="2024-10-21"
            value={apiVersion}
            error={errors.apiVersion}
            onChange={(e) => setApiVersion(e.target.value)}
          />
        ) : null}
      </div>
      <Field
        id={`${prefix}-secret`}
        label={row ? 'New API key (leave blank to keep the current one)' : 'API key'}
        type="password"
        autoComplete="off"
        value={secret}
        error={errors.secret}
        hint="Stored encrypted; it is never shown again."
        onChange={(e) => setSecret(e.target.value)}
      />
      <TextAreaField
        id={`${prefix}-headers`}
        label="Extra headers (optional)"
        hint="One per line: Name: value (e.g. OpenAI-Organization: org-…)"
        rows={2}
        value={headers}
        error={errorFor(errors, 'headers')}
        onChange={(e) => setHeaders(e.target.value)}
      />
      <FormError message={formError(mutation.error)} />
      <div className="form-actions">
        <button type="submit" disabled={mutation.isPending}>
          {mutation.isPending ? 'Saving…' : row ? 'Save credential' : 'Add credential'}
        </button>
        <SavedNote show={saved && !mutation.isPending}>{row ? 'Saved' : 'Added'}</SavedNote>
      </div>
    </form>
  );
}

function CredentialItem({
  orgSlug,
  row,
  canWrite,
  onChanged,
}: {
  orgSlug: string;
  row: CredentialRow;
  canWrite: boolean;
  onChanged: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const [editing, setEditing] = useState(false);
  const remove = useMutation(trpc.ai.deleteCredential.mutationOptions({ onSuccess: onChanged }));
  return (
    <li className="plan-item">
      <div className="plan-summary">
        <strong>{row.name}</strong>
        <span className="badge">{row.provider}</span>
        <span className="muted">{row.baseUrl ?? 'default endpoint'}</span>
        <span className="muted">key {row.secretHint ? `…${row.secretHint}` : 'set'}</span>
        <span className="muted">updated {new Date(row.updatedAt).toLocaleDateString()}</span>
      </div>
      {canWrite ? (
        <RowActions
          editing={editing}
          onToggleEdit={() => setEditing((v) => !v)}
          deleteLabel={`Delete ${row.name}`}
          deleting={remove.isPending}
          onDelete={() => {
            if (window.confirm(`Delete the credential "${row.name}"?`)) {
              remove.mutate({ orgSlug, credentialId: row.id });
            }
          }}
        />
      ) : null}
      <FormError message={remove.error?.message} />
      {editing ? <CredentialForm orgSlug={orgSlug} row={row} onDone={onChanged} /> : null}
    </li>
  );
}

export function CredentialsSection({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.ai.credentials.queryOptions({ orgSlug }));
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.ai.credentials.queryKey({ orgSlug }) });
  if (list.isPending) return <Loading what="Loading credentials" />;
  if (list.isError) return <ErrorState error={list.error} />;
  return (
    <section aria-labelledby="credentials-title">
      <h2 id="credentials-title">Provider credentials</h2>
      <p className="muted">
        Your accounts at LLM providers. Model routes of your AI and prompt APIs call through them.
      </p>
      {list.data.items.length === 0 ? (
        <p className="empty">No credentials yet{list.data.canWrite ? ': add your first one below.' : '.'}</p>
      ) : (
        <ul className="list">
          {list.data.items.map((row) => (
            <CredentialItem
              key={row.id}
              orgSlug={orgSlug}
              row={row}
              canWrite={list.data.canWrite}
              onChanged={refresh}
            />
          ))}
        </ul>
      )}
      {list.data.canWrite ? (
        <CredentialForm orgSlug={orgSlug} onDone={refresh} />
      ) : (
        <p className="muted">Only owners and admins can add or change credentials.</p>
      )}
    </section>
  );
}
