'use client';

import type { AiLogging, ModelRoute } from '@portcullis/core/ai-config';
import type { ReactNode } from 'react';
import {
  CheckboxField,
  errorFor,
  lines,
  SelectField,
  TextAreaField,
} from '../../../../../../../components/config-fields';
import { Field } from '../../../../../../../components/form';
import { OrgCrumb } from '../../../../../../../components/org-crumb';
import { ApiConfigNav } from './config-nav';

/** Editors shared by the AI gateway page (model routes) and the prompt page (the prompt's routes). */

export interface TargetDraft {
  credentialId: string;
  model: string;
  weight: string;
}
export interface RouteDraft {
  name: string;
  targets: TargetDraft[];
  timeoutMs: string;
  maxAttempts: string;
  cacheTtlSeconds: string;
}
export interface CredentialOption {
  id: string;
  name: string;
  provider: string;
}

export const emptyRoute = (credentialId = ''): RouteDraft => ({
  name: '',
  targets: [{ credentialId, model: '', weight: '1' }],
  timeoutMs: '60000',
  maxAttempts: '3',
  cacheTtlSeconds: '0',
});

export const routeDrafts = (routes: ModelRoute[]): RouteDraft[] =>
  routes.map((r) => ({
    name: r.name,
    targets: r.targets.map((t) => ({
      credentialId: t.credentialId,
      model: t.model,
      weight: String(t.weight),
    })),
    timeoutMs: String(r.timeoutMs),
    maxAttempts: String(r.maxAttempts),
    cacheTtlSeconds: String(r.cacheTtlSeconds),
  }));

/** Numbers stay numbers only when they parse; otherwise the server names the field. */
const num = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));

export const routesDocument = (drafts: RouteDraft[]) =>
  drafts.map((r) => ({
    name: r.name.trim(),
    targets: r.targets.map((t) => ({
      credentialId: t.credentialId,
      model: t.model.trim(),
      weight: num(t.weight),
    })),
    timeoutMs: num(r.timeoutMs),
    maxAttempts: num(r.maxAttempts),
    cacheTtlSeconds: num(r.cacheTtlSeconds),
  }));

export function RoutesEditor({
  routes,
  onChange,
  credentials,
  errors,
  disabled,
  cacheable = true,
}: {
  routes: RouteDraft[];
  onChange: (routes: RouteDraft[]) => void;
  credentials: CredentialOption[];
  errors: Record<string, string>;
  disabled: boolean;
  /** the response cache applies to non-streamed chat completions (AI APIs) */
  cacheable?: boolean;
}) {
  const setRoute = (i: number, patch: Partial<RouteDraft>) =>
    onChange(routes.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const setTarget = (i: number, k: number, patch: Partial<TargetDraft>) =>
    setRoute(i, { targets: (routes[i]?.targets ?? []).map((t, j) => (j === k ? { ...t, ...patch } : t)) });
  const options = [
    { value: '', label: credentials.length === 0 ? 'No credentials yet' : 'Choose a credential' },
    ...credentials.map((c) => ({ value: c.id, label: `${c.name} (${c.provider})` })),
  ];
  return (
    <>
      {routes.length === 0 ? <p className="empty">No model routes: every model name answers 404.</p> : null}
      {routes.map((route, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity besides their position
        <fieldset className="group" key={i}>
          <legend>{route.name || `Route ${i + 1}`}</legend>
          <div className="row">
            <Field
              id={`route-${i}-name`}
              label="Model name callers use"
              placeholder="gpt-4o-mini or an alias such as fast"
              value={route.name}
              disabled={disabled}
              error={errors[`routes.${i}.name`]}
              onChange={(e) => setRoute(i, { name: e.target.value })}
            />
            <Field
              id={`route-${i}-timeout`}
              label="Timeout per attempt (ms)"
              type="number"
              inputMode="numeric"
              value={route.timeoutMs}
              disabled={disabled}
              error={errors[`routes.${i}.timeoutMs`]}
              onChange={(e) => setRoute(i, { timeoutMs: e.target.value })}
            />
            <Field
              id={`route-${i}-attempts`}
              label="Attempts (with fallback)"
              type="number"
              inputMode="numeric"
              value={route.maxAttempts}
              disabled={disabled}
              error={errors[`routes.${i}.maxAttempts`]}
              onChange={(e) => setRoute(i, { maxAttempts: e.target.value })}
            />
            {cacheable ? (
              <Field
                id={`route-${i}-cache`}
                label="Cache TTL (s, 0 = off)"
                type="number"
                inputMode="numeric"
                value={route.cacheTtlSeconds}
                disabled={disabled}
                error={errors[`routes.${i}.cacheTtlSeconds`]}
                onChange={(e) => setRoute(i, { cacheTtlSeconds: e.target.value })}
              />
            ) : null}
          </div>
          {route.targets.map((target, k) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity besides their position
            <div className="limit-row" key={k}>
              <SelectField
                id={`route-${i}-target-${k}-credential`}
                label={`Target ${k + 1} credential`}
                value={target.credentialId}
                disabled={disabled}
                options={options}
                error={errors[`routes.${i}.targets.${k}.credentialId`]}
                onChange={(e) => setTarget(i, k, { credentialId: e.target.value })}
              />
              <Field
                id={`route-${i}-target-${k}-model`}
                label="Provider model"
                placeholder="gpt-4o-mini"
                value={target.model}
                disabled={disabled}
                error={errors[`routes.${i}.targets.${k}.model`]}
                onChange={(e) => setTarget(i, k, { model: e.target.value })}
              />
              <Field
                id={`route-${i}-target-${k}-weight`}
                label="Weight"
                type="number"
                inputMode="numeric"
                value={target.weight}
                disabled={disabled}
                error={errors[`routes.${i}.targets.${k}.weight`]}
                hint={k === 0 ? '0 = fallback only' : undefined}
                onChange={(e) => setTarget(i, k, { weight: e.target.value })}
              />
              {disabled ? null : (
                <button
                  type="button"
                  className="secondary"
                  aria-label={`Remove target ${k + 1} of route ${i + 1}`}
                  onClick={() => setRoute(i, { targets: route.targets.filter((_, j) => j !== k) })}
                >
                  Remove
                </button>
              )}
            </div>
          ))}
          {errors[`routes.${i}.targets`] ? (
            <p className="field-error">{errors[`routes.${i}.targets`]}</p>
          ) : null}
          {disabled ? null : (
            <div className="actions">
              <button
                type="button"
                className="secondary"
                onClick={() =>
                  setRoute(i, {
                    targets: [
                      ...route.targets,
                      { credentialId: credentials[0]?.id ?? '', model: '', weight: '1' },
                    ],
                  })
                }
              >
                Add target
              </button>
              <button
                type="button"
                className="secondary"
                onClick={() => onChange(routes.filter((_, j) => j !== i))}
              >
                Remove route
              </button>
            </div>
          )}
        </fieldset>
      ))}
      {errorFor(errors, 'routes') && !Object.keys(errors).some((k) => k.startsWith('routes.')) ? (
        <p className="field-error">{errors.routes}</p>
      ) : null}
      {disabled ? null : (
        <button
          type="button"
          className="secondary"
          onClick={() => onChange([...routes, emptyRoute(credentials[0]?.id)])}
        >
          Add route
        </button>
      )}
    </>
  );
}

export interface LoggingDraft {
  logBodies: boolean;
  redact: string;
}
export const loggingDraft = (l: AiLogging): LoggingDraft => ({
  logBodies: l.logBodies,
  redact: l.redact.join('\n'),
});
export const loggingDocument = (d: LoggingDraft) => ({ logBodies: d.logBodies, redact: lines(d.redact) });

export function LoggingEditor({
  value,
  onChange,
  errors,
  disabled,
}: {
  value: LoggingDraft;
  onChange: (value: LoggingDraft) => void;
  errors: Record<string, string>;
  disabled: boolean;
}) {
  return (
    <fieldset className="group">
      <legend>Call log</legend>
      <CheckboxField
        id="log-bodies"
        label="Store prompt and response bodies in the call log"
        checked={value.logBodies}
        disabled={disabled}
        onChange={(logBodies) => onChange({ ...value, logBodies })}
      />
      <TextAreaField
        id="log-redact"
        label="Redaction patterns"
        hint="One regular expression per line; matches are stored as [REDACTED]."
        rows={3}
        value={value.redact}
        disabled={disabled || !value.logBodies}
        error={errorFor(errors, 'logging.redact', 'logging')}
        onChange={(e) => onChange({ ...value, redact: e.target.value })}
      />
    </fieldset>
  );
}

/** Crumb, title and tabs of the AI and prompt pages. */
export function AiConfigFrame({
  slug,
  apiSlug,
  apiName,
  section,
  children,
}: {
  slug: string;
  apiSlug: string;
  apiName: string;
  section: 'ai' | 'prompt';
  children: ReactNode;
}) {
  return (
    <>
      <OrgCrumb slug={slug} section={{ label: apiName, href: `/o/${slug}/apis/${apiSlug}` }} />
      <div className="page-head">
        <h1>
          {section === 'ai' ? 'Model routes' : 'Prompt'} · {apiName}
        </h1>
      </div>
      <ApiConfigNav orgSlug={slug} apiSlug={apiSlug} current={section} />
      {children}
    </>
  );
}
