'use client';

import { type LimitScope, type LimitWindow, parsePlanLimits } from '@portcullis/core/policies';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import {
  CheckboxField,
  errorFor,
  numberOrNull,
  SavedNote,
  SelectField,
} from '../../../../../../../components/config-fields';
import { Field, FormError, formatLimits } from '../../../../../../../components/form';
import { fieldErrors, formError, useTRPC } from '../../../../../../../trpc/client';
import { AiLimitsEditor } from './ai-limits-editor';
import { FIX_FIELDS } from './messages';
import { PricingEditor } from './pricing-editor';

export interface PlanRow {
  id: string;
  name: string;
  rateLimit: number | null;
  rateLimitWindowSeconds: number;
  monthlyQuota: number | null;
  requiresApproval: boolean;
  limits: unknown;
}

const SCOPES: ReadonlyArray<{ value: LimitScope; label: string }> = [
  { value: 'subscription', label: 'per subscription' },
  { value: 'app', label: 'per app' },
  { value: 'key', label: 'per key' },
  { value: 'ip', label: 'per client IP' },
];

const formatWindow = (w: LimitWindow) =>
  `${w.limit} / ${w.windowSeconds}s ${SCOPES.find((s) => s.value === w.scope)?.label ?? w.scope}`;

function LimitsForm({
  orgSlug,
  plan,
  onDone,
}: {
  orgSlug: string;
  plan: PlanRow;
  onDone: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const id = (name: string) => `plan-${plan.id}-${name}`;
  const [rateLimit, setRateLimit] = useState(plan.rateLimit === null ? '' : String(plan.rateLimit));
  const [windowSeconds, setWindowSeconds] = useState(String(plan.rateLimitWindowSeconds));
  const [quota, setQuota] = useState(plan.monthlyQuota === null ? '' : String(plan.monthlyQuota));
  const [requiresApproval, setRequiresApproval] = useState(plan.requiresApproval);
  const [windows, setWindows] = useState(() =>
    parsePlanLimits(plan.limits).map((w) => ({
      limit: String(w.limit),
      windowSeconds: String(w.windowSeconds),
      scope: w.scope,
    })),
  );
  const [saved, setSaved] = useState(false);
  const save = useMutation(
    trpc.policy.updatePlan.mutationOptions({
      onSuccess: async () => {
        setSaved(true);
        await onDone();
      },
    }),
  );
  const errors = fieldErrors(save.error);
  const setWindow = (i: number, patch: Partial<(typeof windows)[number]>) => {
    setSaved(false);
    setWindows((rows) => rows.map((row, j) => (j === i ? { ...row, ...patch } : row)));
  };

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    save.mutate({
      orgSlug,
      planId: plan.id,
      rateLimit: numberOrNull(rateLimit),
      rateLimitWindowSeconds: Number(windowSeconds),
      monthlyQuota: numberOrNull(quota),
      requiresApproval,
      limits: windows.map((w) => ({
        limit: Number(w.limit),
        windowSeconds: Number(w.windowSeconds),
        scope: w.scope,
      })),
    });
  }

  return (
    <form className="plan-editor" onSubmit={onSubmit} noValidate aria-label={`Limits of ${plan.name}`}>
      <div className="row">
        <Field
          id={id('rate')}
          label="Primary limit (requests)"
          type="number"
          min={1}
          inputMode="numeric"
          placeholder="Unlimited"
          value={rateLimit}
          error={errors.rateLimit}
          onChange={(e) => setRateLimit(e.target.value)}
        />
        <Field
          id={id('window')}
          label="Primary window (seconds)"
          type="number"
          min={1}
          inputMode="numeric"
          value={windowSeconds}
          error={errors.rateLimitWindowSeconds}
          onChange={(e) => setWindowSeconds(e.target.value)}
        />
        <Field
          id={id('quota')}
          label="Quota per month"
          type="number"
          min={1}
          inputMode="numeric"
          placeholder="Unlimited"
          value={quota}
          error={errors.monthlyQuota}
          onChange={(e) => setQuota(e.target.value)}
        />
      </div>
      <CheckboxField
        id={id('approval')}
        label="Subscriptions need approval"
        checked={requiresApproval}
        onChange={setRequiresApproval}
      />
      <fieldset className="group">
        <legend>Extra windows</legend>
        {windows.length === 0 ? <p className="muted">No extra windows.</p> : null}
        {windows.map((w, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity besides their position
          <div className="limit-row" key={i}>
            <Field
              id={id(`w${i}-limit`)}
              label={`Window ${i + 1} limit`}
              type="number"
              min={1}
              inputMode="numeric"
              value={w.limit}
              error={errors[`limits.${i}.limit`]}
              onChange={(e) => setWindow(i, { limit: e.target.value })}
            />
            <Field
              id={id(`w${i}-seconds`)}
              label={`Window ${i + 1} seconds`}
              type="number"
              min={1}
              inputMode="numeric"
              value={w.windowSeconds}
              error={errors[`limits.${i}.windowSeconds`]}
              onChange={(e) => setWindow(i, { windowSeconds: e.target.value })}
            />
            <SelectField
              id={id(`w${i}-scope`)}
              label={`Window ${i + 1} scope`}
              value={w.scope}
              options={SCOPES}
              error={errors[`limits.${i}.scope`]}
              onChange={(e) => setWindow(i, { scope: e.target.value as LimitScope })}
            />
            <button
              type="button"
              className="secondary"
              aria-label={`Remove window ${i + 1}`}
              onClick={() => {
                setSaved(false);
                setWindows((rows) => rows.filter((_, j) => j !== i));
              }}
            >
              Remove
            </button>
          </div>
        ))}
        {errorFor(errors, 'limits') && !/^limits\.\d/.test(Object.keys(errors).join(' ')) ? (
          <p className="field-error">{errorFor(errors, 'limits')}</p>
        ) : null}
        {windows.length < 10 ? (
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setSaved(false);
              setWindows((rows) => [...rows, { limit: '', windowSeconds: '3600', scope: 'subscription' }]);
            }}
          >
            Add window
          </button>
        ) : null}
      </fieldset>
      <FormError message={formError(save.error) ?? (save.error ? FIX_FIELDS : null)} />
      <div className="form-actions">
        <button type="submit" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save limits'}
        </button>
        <SavedNote show={saved && !save.isPending}>Limits saved</SavedNote>
      </div>
    </form>
  );
}

function ArchivePlan({
  orgSlug,
  plan,
  onDone,
}: {
  orgSlug: string;
  plan: PlanRow;
  onDone: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const [confirming, setConfirming] = useState(false);
  const archive = useMutation(trpc.policy.archivePlan.mutationOptions({ onSuccess: onDone }));
  if (!confirming) {
    return (
      <button
        type="button"
        className="danger"
        aria-label={`Archive plan ${plan.name}`}
        onClick={() => setConfirming(true)}
      >
        Archive plan
      </button>
    );
  }
  return (
    <div className="confirm">
      <span>Archive {plan.name}? New subscriptions stop; existing ones keep working.</span>
      <button
        type="button"
        className="danger"
        disabled={archive.isPending}
        onClick={() => archive.mutate({ orgSlug, planId: plan.id })}
      >
        {archive.isPending ? 'Archiving…' : 'Confirm archive'}
      </button>
      <button type="button" className="secondary" onClick={() => setConfirming(false)}>
        Keep
      </button>
      <FormError message={archive.error?.message} />
    </div>
  );
}

/** One plan in the provider's list: its limits, and (for owners/admins) an editor and archiving. */
export function PlanItem({
  orgSlug,
  plan,
  canWrite,
  onChanged,
}: {
  orgSlug: string;
  plan: PlanRow;
  canWrite: boolean;
  onChanged: () => Promise<void>;
}) {
  const [editing, setEditing] = useState(false);
  const windows = parsePlanLimits(plan.limits);
  return (
    <li className="plan-item">
      <div className="plan-summary">
        <strong>{plan.name}</strong>
        <span className="muted">{formatLimits(plan)}</span>
        {windows.length > 0 ? (
          <span className="muted" data-testid="plan-windows">
            + {windows.map(formatWindow).join(', ')}
          </span>
        ) : null}
        <span className="badge">{plan.requiresApproval ? 'Approval required' : 'Instant'}</span>
      </div>
      {canWrite ? (
        <div className="actions">
          <button
            type="button"
            className="secondary"
            aria-expanded={editing}
            aria-label={`Edit limits of ${plan.name}`}
            onClick={() => setEditing((v) => !v)}
          >
            {editing ? 'Close editor' : 'Edit limits'}
          </button>
          <ArchivePlan orgSlug={orgSlug} plan={plan} onDone={onChanged} />
        </div>
      ) : null}
      {editing ? <LimitsForm orgSlug={orgSlug} plan={plan} onDone={onChanged} /> : null}
      <PricingEditor orgSlug={orgSlug} planId={plan.id} planName={plan.name} />
      <AiLimitsEditor orgSlug={orgSlug} planId={plan.id} />
    </li>
  );
}
