'use client';

import { CURRENCY_CODES } from '@portcullis/core/billing/currency';
import { DEFAULT_PLAN_PRICING, type PlanPricing } from '@portcullis/core/billing/pricing';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import {
  CheckboxField,
  errorFor,
  SavedNote,
  SelectField,
} from '../../../../../../../components/config-fields';
import { ErrorState, Field, FormError, Loading } from '../../../../../../../components/form';
import { fieldErrors, formError, useTRPC } from '../../../../../../../trpc/client';
import { FIX_FIELDS } from './messages';
import { type Draft, describePricing, type Model, type TierRow, toDraft, toInput } from './pricing-draft';

const MODELS: ReadonlyArray<{ value: Model; label: string }> = [
  { value: 'free', label: 'Free' },
  { value: 'flat', label: 'Flat fee per period' },
  { value: 'per_unit', label: 'Per request' },
  { value: 'graduated', label: 'Graduated tiers' },
  { value: 'included_overage', label: 'Included requests + overage' },
];
const QUOTA_MODES = [
  { value: 'hard_cap', label: 'Stop at the quota (never billed beyond it)' },
  { value: 'bill_overage', label: 'Keep serving and bill beyond it' },
] as const;
const BILLABLE = [
  { value: 'below_500', label: 'Every response below 500' },
  { value: 'success_only', label: 'Successful responses only (2xx, 3xx)' },
  { value: 'all_admitted', label: 'Every admitted request' },
] as const;
const CURRENCIES = CURRENCY_CODES.map((code) => ({ value: code, label: code.toUpperCase() }));

function PricingForm({
  orgSlug,
  planId,
  planName,
  initial,
  onSaved,
}: {
  orgSlug: string;
  planId: string;
  planName: string;
  initial: PlanPricing;
  onSaved: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const [draft, setDraft] = useState(() => toDraft(initial));
  const [saved, setSaved] = useState(false);
  const save = useMutation(
    trpc.billing.setPlanPricing.mutationOptions({
      onSuccess: async (result) => {
        setDraft(toDraft(result.pricing));
        setSaved(true);
        await onSaved();
      },
    }),
  );
  // The server reports `pricing.tiers.0.upTo`; the form's fields are named without the prefix.
  const errors = Object.fromEntries(
    Object.entries(fieldErrors(save.error)).map(([key, message]) => [key.replace(/^pricing\./, ''), message]),
  );
  const id = (name: string) => `pricing-${planId}-${name}`;
  const set = (patch: Partial<Draft>) => {
    setSaved(false);
    setDraft((d) => ({ ...d, ...patch }));
  };
  const setTier = (i: number, patch: Partial<TierRow>) =>
    set({ tiers: draft.tiers.map((row, j) => (j === i ? { ...row, ...patch } : row)) });
  const paid = draft.model !== 'free';

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    save.mutate({ orgSlug, planId, pricing: toInput(draft) });
  }

  return (
    <form className="plan-editor" onSubmit={onSubmit} noValidate aria-label={`Pricing of ${planName}`}>
      <div className="row">
        <SelectField
          id={id('model')}
          label="Pricing model"
          value={draft.model}
          options={MODELS}
          error={errors.model}
          onChange={(e) => set({ model: e.target.value as Model })}
        />
        <SelectField
          id={id('currency')}
          label="Currency"
          value={draft.currency}
          options={CURRENCIES}
          error={errors.currency}
          onChange={(e) => set({ currency: e.target.value })}
        />
        {paid ? (
          <Field
            id={id('flat-fee')}
            label="Fee per period"
            inputMode="decimal"
            placeholder="0.00"
            value={draft.flatFee}
            error={errors.flatFee}
            onChange={(e) => set({ flatFee: e.target.value })}
          />
        ) : null}
      </div>
      {draft.model === 'per_unit' ? (
        <Field
          id={id('unit-price')}
          label="Price per request"
          inputMode="decimal"
          placeholder="0.001"
          hint="Sub-cent prices are kept exactly; each invoice line is rounded once."
          value={draft.unitPrice}
          error={errors.unitPrice}
          onChange={(e) => set({ unitPrice: e.target.value })}
        />
      ) : null}
      {draft.model === 'included_overage' ? (
        <div className="row">
          <Field
            id={id('included')}
            label="Included requests"
            type="number"
            min={0}
            inputMode="numeric"
            value={draft.includedUnits}
            error={errors.includedUnits}
            onChange={(e) => set({ includedUnits: e.target.value })}
          />
          <Field
            id={id('overage')}
            label="Price per extra request"
            inputMode="decimal"
            placeholder="0.001"
            hint="Billed when the plan keeps serving beyond the quota."
            value={draft.overageUnitPrice}
            error={errors.overageUnitPrice}
            onChange={(e) => set({ overageUnitPrice: e.target.value })}
          />
        </div>
      ) : null}
      {draft.model === 'graduated' ? (
        <fieldset className="group">
          <legend>Tiers</legend>
          {draft.tiers.length === 0 ? <p className="muted">No tiers yet.</p> : null}
          {draft.tiers.map((tier, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity besides their position
            <div className="limit-row" key={i}>
              <Field
                id={id(`tier${i}-up-to`)}
                label={`Tier ${i + 1} up to (requests)`}
                type="number"
                min={1}
                inputMode="numeric"
                placeholder="Unlimited"
                value={tier.upTo}
                error={errors[`tiers.${i}.upTo`]}
                onChange={(e) => setTier(i, { upTo: e.target.value })}
              />
              <Field
                id={id(`tier${i}-price`)}
                label={`Tier ${i + 1} price per request`}
                inputMode="decimal"
                value={tier.unitPrice}
                error={errors[`tiers.${i}.unitPrice`]}
                onChange={(e) => setTier(i, { unitPrice: e.target.value })}
              />
              <Field
                id={id(`tier${i}-fee`)}
                label={`Tier ${i + 1} flat fee`}
                inputMode="decimal"
                placeholder="0"
                value={tier.flatFee}
                error={errors[`tiers.${i}.flatFee`]}
                onChange={(e) => setTier(i, { flatFee: e.target.value })}
              />
              <button
                type="button"
                className="secondary"
                aria-label={`Remove tier ${i + 1}`}
                onClick={() => set({ tiers: draft.tiers.filter((_, j) => j !== i) })}
              >
                Remove
              </button>
            </div>
          ))}
          {errors.tiers ? <p className="field-error">{errors.tiers}</p> : null}
          {draft.tiers.length < 20 ? (
            <button
              type="button"
              className="secondary"
              onClick={() => set({ tiers: [...draft.tiers, { upTo: '', unitPrice: '', flatFee: '' }] })}
            >
              Add tier
            </button>
          ) : null}
        </fieldset>
      ) : null}
      <div className="row">
        <SelectField
          id={id('quota-mode')}
          label="At the monthly quota"
          value={draft.quotaMode}
          options={QUOTA_MODES}
          error={errors.quotaMode}
          onChange={(e) => set({ quotaMode: e.target.value as Draft['quotaMode'] })}
        />
        <SelectField
          id={id('billable')}
          label="Billable responses"
          value={draft.billable}
          options={BILLABLE}
          error={errors.billable}
          onChange={(e) => set({ billable: e.target.value as Draft['billable'] })}
        />
        <Field
          id={id('trial')}
          label="Free trial (days)"
          type="number"
          min={0}
          max={365}
          inputMode="numeric"
          placeholder="No trial"
          value={draft.trialDays}
          error={errors.trialDays}
          onChange={(e) => set({ trialDays: e.target.value })}
        />
      </div>
      {paid ? (
        <CheckboxField
          id={id('tokens')}
          label="Charge for AI tokens"
          checked={draft.tokens}
          error={draft.tokens ? undefined : errors.tokenPrices}
          onChange={(tokens) => set({ tokens })}
        />
      ) : null}
      {paid && draft.tokens ? (
        <div className="row">
          <Field
            id={id('tokens-in')}
            label="Input tokens, per million"
            inputMode="decimal"
            value={draft.inputPerMillion}
            error={errorFor(errors, 'tokenPrices.inputPerMillion', 'tokenPrices')}
            onChange={(e) => set({ inputPerMillion: e.target.value })}
          />
          <Field
            id={id('tokens-out')}
            label="Output tokens, per million"
            inputMode="decimal"
            value={draft.outputPerMillion}
            error={errors['tokenPrices.outputPerMillion']}
            onChange={(e) => set({ outputPerMillion: e.target.value })}
          />
        </div>
      ) : null}
      <FormError message={formError(save.error) ?? (save.error ? FIX_FIELDS : null)} />
      <div className="form-actions">
        <button type="submit" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save pricing'}
        </button>
        <SavedNote show={saved && !save.isPending}>Pricing saved</SavedNote>
      </div>
    </form>
  );
}

/**
 * A plan's pricing: a summary line for everyone who can see the plan, and an editor for ADMIN/OWNER.
 * Loads the pricing itself, so it mounts with just the plan's id and name.
 */
export function PricingEditor({
  orgSlug,
  planId,
  planName,
}: {
  orgSlug: string;
  planId: string;
  planName: string;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const query = trpc.billing.planPricing.queryOptions({ orgSlug, planId });
  const pricing = useQuery(query);
  if (pricing.isPending) return <Loading what="Loading pricing" />;
  if (pricing.isError) return <ErrorState error={pricing.error} />;
  const current = pricing.data.pricing;
  return (
    <div className="pricing">
      <div className="plan-summary">
        <span className="muted">Pricing:</span>
        <span data-testid="plan-pricing">
          {current ? describePricing(current) : 'Unreadable — save it again'}
        </span>
        {pricing.data.canManage ? (
          <button
            type="button"
            className="secondary"
            aria-expanded={editing}
            aria-label={`Edit pricing of ${planName}`}
            onClick={() => setEditing((v) => !v)}
          >
            {editing ? 'Close pricing' : 'Edit pricing'}
          </button>
        ) : null}
      </div>
      {editing && pricing.data.canManage ? (
        <PricingForm
          orgSlug={orgSlug}
          planId={planId}
          planName={planName}
          initial={current ?? DEFAULT_PLAN_PRICING}
          onSaved={() => queryClient.invalidateQueries({ queryKey: query.queryKey })}
        />
      ) : null}
    </div>
  );
}
