'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { type FormEvent, useMemo, useState } from 'react';
import { FormError, Loading } from '../../../../components/form';
import { useTRPC } from '../../../../trpc/client';
import { type DocOperation, readOpenApi } from '../_lib/openapi-model';
import styles from './catalog.module.css';

interface TryResult {
  url: string;
  status: number;
  statusText: string;
  headers: Array<[string, string]>;
  body: string;
  truncated: boolean;
  durationMs: number;
}

const FREE_FORM = '__free__';
// Words, not the status codes the plan cards show, so a page has one "PENDING" to look for.
const SUBSCRIPTION_WORDS: Record<string, string> = {
  ACTIVE: 'can call',
  PENDING: 'awaiting approval',
  SUSPENDED: 'suspended',
};
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

function prettyBody(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

function initialValues(op: DocOperation | undefined): Record<string, string> {
  const values: Record<string, string> = {};
  for (const p of op?.parameters ?? []) values[`${p.in}:${p.name}`] = p.example ?? '';
  return values;
}

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
 * Calls the gateway through the portal's /try proxy with a pasted key. Keys are shown once at creation,
 * so the console asks for one; it lives in this component's memory only and is never stored.
 */
export function TryIt({
  orgSlug,
  apiSlug,
  spec,
  signedIn,
}: {
  orgSlug: string;
  apiSlug: string;
  spec: unknown;
  signedIn: boolean;
}) {
  const operations = useMemo(() => readOpenApi(spec)?.operations ?? [], [spec]);
  const [operationId, setOperationId] = useState(operations[0]?.id ?? FREE_FORM);
  const op = operations.find((o) => o.id === operationId);
  const [values, setValues] = useState(() => initialValues(operations[0]));
  const [method, setMethod] = useState<(typeof METHODS)[number]>('GET');
  const [freePath, setFreePath] = useState('/');
  const [body, setBody] = useState(() => operations[0]?.requestBody?.contents[0]?.example ?? '');
  const [key, setKey] = useState('');
  const [result, setResult] = useState<TryResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);

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

  const choose = (id: string) => {
    setOperationId(id);
    const next = operations.find((o) => o.id === id);
    setValues(initialValues(next));
    setBody(next?.requestBody?.contents[0]?.example ?? '');
    setResult(null);
    setError(null);
  };

  const effectiveMethod = op ? op.method.toUpperCase() : method;
  const hasBody =
    effectiveMethod !== 'GET' && effectiveMethod !== 'HEAD' && (op ? op.requestBody !== null : true);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setResult(null);
    const params = op?.parameters ?? [];
    const missing = params.find(
      (p) => p.required && p.in !== 'header' && !values[`${p.in}:${p.name}`]?.trim(),
    );
    if (missing) {
      setError(`Fill in the ${missing.in} parameter "${missing.name}".`);
      return;
    }
    const path = op
      ? op.path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(values[`path:${name}`] ?? ''))
      : freePath;
    const pick = (where: string) =>
      params
        .filter((p) => p.in === where && (values[`${where}:${p.name}`] ?? '') !== '')
        .map((p) => [p.name, values[`${where}:${p.name}`] ?? ''] as [string, string]);
    setSending(true);
    try {
      const res = await fetch(`/catalog/${orgSlug}/${apiSlug}/try`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          method: effectiveMethod,
          path,
          query: pick('query'),
          headers: pick('header'),
          body: hasBody && body.trim() !== '' ? body : null,
          key,
        }),
      });
      const data = (await res.json().catch(() => null)) as (TryResult & { error?: string }) | null;
      if (!res.ok || !data || data.error) setError(data?.error ?? `The console failed (${res.status}).`);
      else setResult(data);
    } catch {
      setError('The console could not reach the portal.');
    } finally {
      setSending(false);
    }
  }

  return (
    <>
      <KeyHint orgSlug={orgSlug} apiSlug={apiSlug} />
      <form onSubmit={onSubmit} noValidate aria-label="Try it">
        <div className={styles.console}>
          <div className="field">
            <label htmlFor="try-operation">Operation</label>
            <select id="try-operation" value={operationId} onChange={(e) => choose(e.target.value)}>
              {operations.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.method.toUpperCase()} {o.path}
                  {o.summary ? ` — ${o.summary}` : ''}
                </option>
              ))}
              <option value={FREE_FORM}>Any path…</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="try-key">API key</label>
            <input
              id="try-key"
              type="password"
              autoComplete="off"
              spellCheck={false}
              placeholder="pk_live_…"
              value={key}
              onChange={(e) => setKey(e.target.value)}
              aria-describedby="try-key-hint"
            />
            <p id="try-key-hint" className="hint">
              Used for this request only; never stored.
            </p>
          </div>
        </div>
        {op ? null : (
          <div className={styles.console}>
            <div className="field">
              <label htmlFor="try-method">Method</label>
              <select
                id="try-method"
                value={method}
                onChange={(e) => setMethod(e.target.value as (typeof METHODS)[number])}
              >
                {METHODS.map((m) => (
                  <option key={m}>{m}</option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="try-path">Path</label>
              <input id="try-path" value={freePath} onChange={(e) => setFreePath(e.target.value)} />
            </div>
          </div>
        )}
        {op && op.parameters.length > 0 ? (
          <fieldset className="checks">
            <legend>Parameters</legend>
            <div className={styles.console}>
              {op.parameters.map((p) => {
                const id = `try-${p.in}-${p.name}`.replace(/[^A-Za-z0-9_-]/g, '-');
                return (
                  <div className="field" key={`${p.in}:${p.name}`}>
                    <label htmlFor={id}>
                      {p.name}{' '}
                      <span className="muted">
                        ({p.in}
                        {p.required ? ', required' : ''})
                      </span>
                    </label>
                    <input
                      id={id}
                      value={values[`${p.in}:${p.name}`] ?? ''}
                      onChange={(e) => setValues({ ...values, [`${p.in}:${p.name}`]: e.target.value })}
                    />
                  </div>
                );
              })}
            </div>
          </fieldset>
        ) : null}
        {hasBody ? (
          <div className="field">
            <label htmlFor="try-body">Request body</label>
            <textarea
              id="try-body"
              className="code-input"
              spellCheck={false}
              value={body}
              onChange={(e) => setBody(e.target.value)}
            />
          </div>
        ) : null}
        <FormError message={error} />
        <button type="submit" disabled={sending}>
          {sending ? 'Sending…' : 'Send request'}
        </button>
      </form>
      {result ? (
        <section aria-label="Response" aria-live="polite">
          <div className={styles.responseHead}>
            <h3>Response</h3>
            <span
              data-testid="try-status"
              className={`badge ${result.status < 400 ? 'status-active' : result.status < 500 ? 'status-suspended' : 'status-cancelled'}`}
            >
              {result.status} {result.statusText}
            </span>
            <span className="muted">{result.durationMs} ms</span>
          </div>
          <p className="muted">
            <code>{result.url}</code>
          </p>
          <details>
            <summary>Headers ({result.headers.length})</summary>
            <div className="table-wrap">
              <table className={styles.schemaTable} data-testid="try-headers">
                <caption className="visually-hidden">Response headers</caption>
                <thead>
                  <tr>
                    <th scope="col">Header</th>
                    <th scope="col">Value</th>
                  </tr>
                </thead>
                <tbody>
                  {result.headers.map(([name, value]) => (
                    <tr key={`${name}:${value}`}>
                      <td className={styles.propName}>{name}</td>
                      <td>{value}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1; axe scrollable-region-focusable) */}
          <section className={styles.scrollable} tabIndex={0} aria-label="Response body">
            <pre className={`code ${styles.example}`} data-testid="try-body">
              {prettyBody(result.body) || '(empty body)'}
            </pre>
          </section>
          {result.truncated ? <p className="muted">The body was cut at 512 KB.</p> : null}
        </section>
      ) : null}
    </>
  );
}
