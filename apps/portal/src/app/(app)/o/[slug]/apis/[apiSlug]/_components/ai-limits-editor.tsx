'use client';

import type { AiLimit } from '@portcullis/core/ai-config';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { SavedNote, SelectField } from '../../../../../../../components/config-fields';
import { ErrorState, Field, FormError } from '../../../../../../../components/form';
import { fieldErrors, formError, useTRPC } from '../../../../../../../trpc/client';
import { FIX_FIELDS } from './messages';

const METRICS = [
  { value: 'tokens', label: 'Tokens' },
  { value: 'usd', label: 'USD' },
];
const WINDOWS = [
  { value: 'minute', label: 'per minute' },
  { value: 'day', label: 'per day' },
  { value: 'month', label: 'per month' },
];
const SCOPES = [
  { value: 'key', label: 'each API key' },
  { value: 'app', label: 'each app' },
  { value: 'org', label: 'each consumer org' },
];

const formatAiLimit = (l: AiLimit) =>
  `${l.metric === 'usd' ? `$${l.limit}` : `${l.limit} tokens`} ${WINDOWS.find((w) => w.value === l.window)?.label ?? l.window} for ${SCOPES.find((s) => s.value === l.scope)?.label ?? l.scope}`;

function LimitsForm({
  orgSlug,
  planId,
  initial,
  onSaved,
}: {
  orgSlug: string;
  planId: string;
  initial: AiLimit[];
  onSaved: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const [rows, setRows] = useState<AiLimit[]>(initial);
  const [saved, setSaved] = useState(false);
  const save = useMutation(
    trpc.ai.setPlanLimits.mutationOptions({
      onSuccess: async () => {
        setSaved(true);
        await onSaved();
      },
    }),
  );
  const errors = fieldErrors(save.error);
  const set = (i: number, patch: Partial<AiLimit>) => {
    setSaved(false);
    setRows((r) => r.map((row, j) => (j === i ? { ...row, ...patch } : row)));
  };
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    save.mutate({ orgSlug, planId, limits: rows.map((r) => ({ ...r, limit: r.limit.trim() })) });
  }
  const id = (i: number, field: string) => `ai-limit-${planId}-${i}-${field}`;
  return (
    <form onSubmit={onSubmit} noValidate aria-label="AI limits">
      {rows.length === 0 ? <p className="muted">No token limits or budgets.</p> : null}
      {rows.map((row, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity besides their position
        <div className="limit-row" key={i}>
          <SelectField
            id={id(i, 'metric')}
            label="Metric"
            value={row.metric}
            options={METRICS}
            error={errors[`${i}.metric`]}
            onChange={(e) => set(i, { metric: e.target.value as AiLimit['metric'] })}
          />
          <Field
            id={id(i, 'limit')}
            label={row.metric === 'usd' ? 'Budget (USD)' : 'Tokens'}
            inputMode="decimal"
            value={row.limit}
            error={errors[`${i}.limit`]}
            onChange={(e) => set(i, { limit: e.target.value })}
          />
          <SelectField
            id={id(i, 'window')}
            label="Window"
            value={row.window}
            options={WINDOWS}
            error={errors[`${i}.window`]}
            onChange={(e) => set(i, { window: e.target.value as AiLimit['window'] })}
          />
          <SelectField
            id={id(i, 'scope')}
            label="For"
            value={row.scope}
            options={SCOPES}
            error={errors[`${i}.scope`]}
            onChange={(e) => set(i, { scope: e.target.value as AiLimit['scope'] })}
          />
          <button
            type="button"
            className="secondary"
            aria-label={`Remove AI limit ${i + 1}`}
            onClick={() => {
              setSaved(false);
              setRows((r) => r.filter((_, j) => j !== i));
            }}
          >
            Remove
          </button>
        </div>
      ))}
      <FormError message={formError(save.error) ?? (save.error ? FIX_FIELDS : null)} />
      <div className="form-actions">
        <button
          type="button"
          className="secondary"
          onClick={() =>
            setRows((r) => [...r, { metric: 'tokens', window: 'minute', scope: 'key', limit: '' }])
          }
        >
          Add limit
        </button>
        <button type="submit" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save AI limits'}
        </button>
        <SavedNote show={saved && !save.isPending}>AI limits saved</SavedNote>
      </div>
    </form>
  );
}

/** A plan's token limits and USD budgets; shown only for plans of AI and prompt APIs. */
export function AiLimitsEditor({ orgSlug, planId }: { orgSlug: string; planId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const limits = useQuery(trpc.ai.planLimits.queryOptions({ orgSlug, planId }));
  const [editing, setEditing] = useState(false);
  // Plans of REST APIs show nothing: no placeholder while the kind is being looked up.
  if (limits.isPending) return null;
  if (limits.isError) return <ErrorState error={limits.error} />;
  if (limits.data.apiKind === 'REST') return null;
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.ai.planLimits.queryKey({ orgSlug, planId }) });
  return (
    <section className="plan-editor" aria-label="AI limits">
      <p>
        <strong>AI limits:</strong>{' '}
        <span className="muted">
          {limits.data.limits.length === 0 ? 'none' : limits.data.limits.map(formatAiLimit).join('; ')}
        </span>{' '}
        {limits.data.canWrite ? (
          <button
            type="button"
            className="secondary"
            aria-expanded={editing}
            onClick={() => setEditing((v) => !v)}
          >
            {editing ? 'Close' : 'Edit AI limits'}
          </button>
        ) : null}
      </p>
      {editing ? (
        <LimitsForm orgSlug={orgSlug} planId={planId} initial={limits.data.limits} onSaved={refresh} />
      ) : null}
    </section>
  );
}
