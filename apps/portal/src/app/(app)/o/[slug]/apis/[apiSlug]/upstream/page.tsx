'use client';

import type { UpstreamConfig, UpstreamTarget } from '@portcullis/core/policies';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import {
  CheckboxField,
  errorFor,
  lines,
  SavedNote,
  SelectField,
  TextAreaField,
} from '../../../../../../../components/config-fields';
import { ErrorState, Field, FormError, Loading } from '../../../../../../../components/form';
import { fieldErrors, formError, useTRPC } from '../../../../../../../trpc/client';
import { ApiConfigFrame, useApiConfig } from '../_components/config-page';
import { FIX_FIELDS } from '../_components/messages';

/** `url [weight]` per line, for a version's targets. */
const targetLines = (targets: UpstreamTarget[]) => targets.map((t) => `${t.url} ${t.weight}`).join('\n');
const parseTargetLines = (text: string): UpstreamTarget[] =>
  lines(text).map((line) => {
    const [url = '', weight] = line.split(/\s+/);
    return { url, weight: weight === undefined ? 100 : Number(weight) };
  });

function draftOf(upstreamUrl: string, u: UpstreamConfig) {
  return {
    upstreamUrl,
    targets: u.targets.map((t) => ({ url: t.url, weight: String(t.weight) })),
    loadBalancing: u.loadBalancing,
    versions: Object.entries(u.versions).map(([name, targets]) => ({ name, targets: targetLines(targets) })),
    connectMs: String(u.timeouts.connectMs),
    responseMs: String(u.timeouts.responseMs),
    idleMs: String(u.timeouts.idleMs),
    retryAttempts: String(u.retries.attempts),
    retryBudget: String(u.retries.budgetPercent),
    healthEnabled: u.healthCheck.enabled,
    healthPath: u.healthCheck.path,
    healthInterval: String(u.healthCheck.intervalMs),
    healthyThreshold: String(u.healthCheck.healthyThreshold),
    unhealthyThreshold: String(u.healthCheck.unhealthyThreshold),
    breakerEnabled: u.circuitBreaker.enabled,
    breakerFailures: String(u.circuitBreaker.consecutiveFailures),
    breakerRate: String(u.circuitBreaker.errorRatePercent),
    breakerWindow: String(u.circuitBreaker.windowSize),
    breakerOpenMs: String(u.circuitBreaker.openMs),
  };
}
type Draft = ReturnType<typeof draftOf>;

function documentOf(d: Draft): UpstreamConfig & { upstreamUrl: string } {
  return {
    upstreamUrl: d.upstreamUrl,
    targets: d.targets.map((t) => ({ url: t.url.trim(), weight: Number(t.weight) })),
    loadBalancing: d.loadBalancing,
    versions: Object.fromEntries(d.versions.map((v) => [v.name.trim(), parseTargetLines(v.targets)])),
    timeouts: { connectMs: Number(d.connectMs), responseMs: Number(d.responseMs), idleMs: Number(d.idleMs) },
    retries: { attempts: Number(d.retryAttempts), budgetPercent: Number(d.retryBudget) },
    healthCheck: {
      enabled: d.healthEnabled,
      path: d.healthPath,
      intervalMs: Number(d.healthInterval),
      healthyThreshold: Number(d.healthyThreshold),
      unhealthyThreshold: Number(d.unhealthyThreshold),
    },
    circuitBreaker: {
      enabled: d.breakerEnabled,
      consecutiveFailures: Number(d.breakerFailures),
      errorRatePercent: Number(d.breakerRate),
      windowSize: Number(d.breakerWindow),
      openMs: Number(d.breakerOpenMs),
    },
  };
}

type NumberKey = {
  [K in keyof Draft]: Draft[K] extends string ? K : never;
}[keyof Draft];

function UpstreamForm({
  orgSlug,
  apiId,
  initial,
  canWrite,
  onSaved,
}: {
  orgSlug: string;
  apiId: string;
  initial: Draft;
  canWrite: boolean;
  onSaved: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const [draft, setDraft] = useState(initial);
  const [saved, setSaved] = useState(false);
  const save = useMutation(
    trpc.policy.updateUpstream.mutationOptions({
      onSuccess: async (result) => {
        setDraft(draftOf(result.upstreamUrl, result.upstream));
        setSaved(true);
        await onSaved();
      },
    }),
  );
  const errors = fieldErrors(save.error);
  const off = !canWrite;
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setSaved(false);
    setDraft((d) => ({ ...d, [key]: value }));
  };
  const num = (key: NumberKey, id: string, label: string, errorKey: string) => (
    <Field
      id={id}
      label={label}
      type="number"
      inputMode="numeric"
      value={draft[key]}
      disabled={off}
      error={errors[errorKey]}
      onChange={(e) => set(key, e.target.value)}
    />
  );

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    save.mutate({ orgSlug, apiId, ...documentOf(draft) });
  }

  return (
    <form className="card" onSubmit={onSubmit} noValidate aria-labelledby="upstream-title">
      <h2 id="upstream-title">Upstream</h2>
      <Field
        id="upstream-url"
        label="Primary upstream URL"
        type="url"
        value={draft.upstreamUrl}
        disabled={off}
        error={errors.upstreamUrl}
        hint="Always the first target (weight 100)."
        onChange={(e) => set('upstreamUrl', e.target.value)}
      />

      <fieldset className="group">
        <legend>Extra targets</legend>
        {draft.targets.length === 0 ? <p className="muted">No extra targets.</p> : null}
        {draft.targets.map((target, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity besides their position
          <div className="limit-row" key={i}>
            <Field
              id={`target-${i}-url`}
              label={`Target ${i + 1} URL`}
              type="url"
              value={target.url}
              disabled={off}
              error={errorFor(errors, `targets.${i}.url`)}
              onChange={(e) =>
                set(
                  'targets',
                  draft.targets.map((t, j) => (j === i ? { ...t, url: e.target.value } : t)),
                )
              }
            />
            <Field
              id={`target-${i}-weight`}
              label="Weight"
              type="number"
              min={0}
              max={1000}
              inputMode="numeric"
              value={target.weight}
              disabled={off}
              error={errorFor(errors, `targets.${i}.weight`)}
              onChange={(e) =>
                set(
                  'targets',
                  draft.targets.map((t, j) => (j === i ? { ...t, weight: e.target.value } : t)),
                )
              }
            />
            {canWrite ? (
              <button
                type="button"
                className="secondary"
                aria-label={`Remove target ${i + 1}`}
                onClick={() =>
                  set(
                    'targets',
                    draft.targets.filter((_, j) => j !== i),
                  )
                }
              >
                Remove
              </button>
            ) : null}
          </div>
        ))}
        {canWrite ? (
          <button
            type="button"
            className="secondary"
            onClick={() => set('targets', [...draft.targets, { url: '', weight: '100' }])}
          >
            Add target
          </button>
        ) : null}
        <SelectField
          id="load-balancing"
          label="Load balancing"
          value={draft.loadBalancing}
          disabled={off}
          error={errors.loadBalancing}
          options={[
            { value: 'round-robin', label: 'Weighted round robin' },
            { value: 'least-connections', label: 'Least connections' },
          ]}
          onChange={(e) => set('loadBalancing', e.target.value as Draft['loadBalancing'])}
        />
      </fieldset>

      <fieldset className="group">
        <legend>Versions</legend>
        <p className="hint">
          A request whose first path segment names a version goes to that version's targets.
        </p>
        {draft.versions.map((version, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity besides their position
          <div className="version-row" key={i}>
            <Field
              id={`version-${i}-name`}
              label={`Version ${i + 1} name`}
              value={version.name}
              disabled={off}
              placeholder="v2"
              onChange={(e) =>
                set(
                  'versions',
                  draft.versions.map((v, j) => (j === i ? { ...v, name: e.target.value } : v)),
                )
              }
            />
            <TextAreaField
              id={`version-${i}-targets`}
              label="Targets"
              hint="One per line: URL and optional weight"
              value={version.targets}
              disabled={off}
              error={errorFor(errors, `versions.${version.name.trim()}`)}
              onChange={(e) =>
                set(
                  'versions',
                  draft.versions.map((v, j) => (j === i ? { ...v, targets: e.target.value } : v)),
                )
              }
            />
            {canWrite ? (
              <button
                type="button"
                className="secondary"
                aria-label={`Remove version ${i + 1}`}
                onClick={() =>
                  set(
                    'versions',
                    draft.versions.filter((_, j) => j !== i),
                  )
                }
              >
                Remove
              </button>
            ) : null}
          </div>
        ))}
        {errors.versions ? <p className="field-error">{errors.versions}</p> : null}
        {canWrite ? (
          <button
            type="button"
            className="secondary"
            onClick={() => set('versions', [...draft.versions, { name: '', targets: '' }])}
          >
            Add version
          </button>
        ) : null}
      </fieldset>

      <fieldset className="group">
        <legend>Timeouts and retries</legend>
        <div className="row">
          {num('connectMs', 'connect-ms', 'Connect timeout (ms)', 'timeouts.connectMs')}
          {num('responseMs', 'response-ms', 'Response timeout (ms)', 'timeouts.responseMs')}
          {num('idleMs', 'idle-ms', 'Idle timeout (ms)', 'timeouts.idleMs')}
          {num('retryAttempts', 'retry-attempts', 'Retry attempts', 'retries.attempts')}
          {num('retryBudget', 'retry-budget', 'Retry budget (%)', 'retries.budgetPercent')}
        </div>
      </fieldset>

      <fieldset className="group">
        <legend>Health check</legend>
        <CheckboxField
          id="health-enabled"
          label="Probe targets actively"
          checked={draft.healthEnabled}
          disabled={off}
          onChange={(v) => set('healthEnabled', v)}
        />
        <div className="row">
          <Field
            id="health-path"
            label="Path"
            value={draft.healthPath}
            disabled={off}
            error={errors['healthCheck.path']}
            onChange={(e) => set('healthPath', e.target.value)}
          />
          {num('healthInterval', 'health-interval', 'Interval (ms)', 'healthCheck.intervalMs')}
          {num('healthyThreshold', 'healthy-threshold', 'Healthy after', 'healthCheck.healthyThreshold')}
          {num(
            'unhealthyThreshold',
            'unhealthy-threshold',
            'Unhealthy after',
            'healthCheck.unhealthyThreshold',
          )}
        </div>
      </fieldset>

      <fieldset className="group">
        <legend>Circuit breaker</legend>
        <CheckboxField
          id="breaker-enabled"
          label="Stop calling a failing target for a while"
          checked={draft.breakerEnabled}
          disabled={off}
          onChange={(v) => set('breakerEnabled', v)}
        />
        <div className="row">
          {num(
            'breakerFailures',
            'breaker-failures',
            'Consecutive failures',
            'circuitBreaker.consecutiveFailures',
          )}
          {num('breakerRate', 'breaker-rate', 'Error rate (%)', 'circuitBreaker.errorRatePercent')}
          {num('breakerWindow', 'breaker-window', 'Window (calls)', 'circuitBreaker.windowSize')}
          {num('breakerOpenMs', 'breaker-open-ms', 'Open for (ms)', 'circuitBreaker.openMs')}
        </div>
      </fieldset>

      <FormError message={formError(save.error) ?? (save.error ? FIX_FIELDS : null)} />
      {canWrite ? (
        <div className="form-actions">
          <button type="submit" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : 'Save upstream'}
          </button>
          <SavedNote show={saved && !save.isPending}>Upstream saved</SavedNote>
        </div>
      ) : (
        <p className="muted">Only owners and admins can change the upstream.</p>
      )}
    </form>
  );
}

export default function ApiUpstreamPage() {
  const { slug, apiSlug, config, refresh } = useApiConfig();
  if (config.isPending) return <Loading what="Loading upstream" />;
  if (config.isError) return <ErrorState error={config.error} />;
  const data = config.data;
  return (
    <ApiConfigFrame slug={slug} apiSlug={apiSlug} apiName={data.name} section="upstream">
      <UpstreamForm
        key={data.id}
        orgSlug={slug}
        apiId={data.id}
        initial={draftOf(data.upstreamUrl, data.upstream)}
        canWrite={data.canWrite}
        onSaved={refresh}
      />
    </ApiConfigFrame>
  );
}
