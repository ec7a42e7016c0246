import { formatPrice, isSupportedCurrency } from '@portcullis/core/billing/currency';
import { Decimal } from '@portcullis/core/billing/decimal';
import type { PlanPricing, PlanPricingInput } from '@portcullis/core/billing/pricing';

/** The pricing editor's form state (text as typed) to and from a plan's pricing document. */

export type Model = PlanPricing['model'];
export type TierRow = { upTo: string; unitPrice: string; flatFee: string };
export type Draft = {
  model: Model;
  currency: string;
  flatFee: string;
  unitPrice: string;
  includedUnits: string;
  overageUnitPrice: string;
  quotaMode: PlanPricing['quotaMode'];
  trialDays: string;
  billable: PlanPricing['billable'];
  tiers: TierRow[];
  tokens: boolean;
  inputPerMillion: string;
  outputPerMillion: string;
};

const text = (value: string | number | null | undefined) =>
  value === null || value === undefined ? '' : String(value);

export function toDraft(pricing: PlanPricing): Draft {
  return {
    model: pricing.model,
    currency: pricing.currency,
    flatFee: pricing.flatFee === '0' ? '' : pricing.flatFee,
    unitPrice: text(pricing.unitPrice),
    includedUnits: text(pricing.includedUnits),
    overageUnitPrice: text(pricing.overageUnitPrice),
    quotaMode: pricing.quotaMode,
    trialDays: pricing.trialDays === 0 ? '' : String(pricing.trialDays),
    billable: pricing.billable,
    tiers: pricing.tiers.map((t) => ({
      upTo: text(t.upTo),
      unitPrice: t.unitPrice,
      flatFee: t.flatFee === '0' ? '' : t.flatFee,
    })),
    tokens: pricing.tokenPrices !== undefined,
    inputPerMillion: text(pricing.tokenPrices?.inputPerMillion),
    outputPerMillion: text(pricing.tokenPrices?.outputPerMillion),
  };
}

// Empty optional fields are left out so the server applies its defaults or names what is missing;
// numbers the user typed are sent as typed (the server says what is wrong with them).
const optional = (value: string) => (value.trim() === '' ? undefined : value.trim());
const optionalNumber = (value: string) => (value.trim() === '' ? undefined : Number(value));

export function toInput(draft: Draft): PlanPricingInput {
  return {
    model: draft.model,
    currency: draft.currency,
    flatFee: optional(draft.flatFee),
    unitPrice: optional(draft.unitPrice),
    includedUnits: optionalNumber(draft.includedUnits),
    overageUnitPrice: optional(draft.overageUnitPrice),
    quotaMode: draft.quotaMode,
    trialDays: optionalNumber(draft.trialDays),
    billable: draft.billable,
    tiers: draft.tiers.map((t) => ({
      upTo: t.upTo.trim() === '' ? null : Number(t.upTo),
      unitPrice: t.unitPrice.trim(),
      flatFee: optional(t.flatFee),
    })),
    tokenPrices: draft.tokens
      ? { inputPerMillion: draft.inputPerMillion.trim(), outputPerMillion: draft.outputPerMillion.trim() }
      : undefined,
  };
}

function price(value: string | undefined, currency: string): string {
  const parsed = value === undefined ? null : Decimal.tryParse(value);
  return parsed && isSupportedCurrency(currency) ? formatPrice(parsed, currency) : (value ?? '?');
}

/** One line for the plan list: "$2.00 / period + $0.002 per request". */
export function describePricing(pricing: PlanPricing): string {
  const c = pricing.currency;
  const fee =
    Decimal.tryParse(pricing.flatFee)?.isZero() === false ? `${price(pricing.flatFee, c)} / period` : null;
  const parts: string[] = [];
  switch (pricing.model) {
    case 'free':
      return 'Free';
    case 'flat':
      parts.push(fee ?? 'Flat fee');
      break;
    case 'per_unit':
      if (fee) parts.push(fee);
      parts.push(`${price(pricing.unitPrice, c)} per request`);
      break;
    case 'graduated':
      if (fee) parts.push(fee);
      parts.push(`${pricing.tiers.length} tiers from ${price(pricing.tiers[0]?.unitPrice, c)} per request`);
      break;
    case 'included_overage':
      parts.push(`${fee ?? 'free'} incl. ${(pricing.includedUnits ?? 0).toLocaleString('en-US')} requests`);
      if (pricing.quotaMode === 'bill_overage')
        parts.push(`${price(pricing.overageUnitPrice, c)} per extra request`);
      break;
  }
  if (pricing.tokenPrices) parts.push('tokens billed');
  if (pricing.trialDays > 0) parts.push(`${pricing.trialDays}-day trial`);
  return parts.join(' + ');
}
