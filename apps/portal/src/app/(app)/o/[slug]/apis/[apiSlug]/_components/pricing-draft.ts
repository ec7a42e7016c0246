import { formatPrice, isSupportedCurrency } from '@portcullis/core/billing/currency';
import { Decimal } from '@portcullis/core/billing/decimal';
import { type PlanPricing, ZPlanPricing } from '@portcullis/core/billing/pricing';
import { z } from 'zod';
import {
  draftSchema,
  zNullableNumberText,
  zOptionalNumberText,
  zOptionalText,
} from '../../../../../../../components/forms/draft-text';

/** The pricing editor's draft (text as typed) to and from a plan's pricing document. */

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
  /** whether AI tokens are billed (the prices are kept while unchecked) */
  tokens: boolean;
  tokenPrices: { inputPerMillion: string; outputPerMillion: string };
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
    tokenPrices: {
      inputPerMillion: text(pricing.tokenPrices?.inputPerMillion),
      outputPerMillion: text(pricing.tokenPrices?.outputPerMillion),
    },
  };
}

export const NEW_TIER: TierRow = { upTo: '', unitPrice: '', flatFee: '' };

/**
 * Draft → the pricing document `billing.setPlanPricing` takes, checked by ZPlanPricing. Empty optional
 * fields are left out so the server's defaults apply or it names what a model is missing; token prices
 * go only with a paid model and the box checked.
 */
export const ZPricingForm = draftSchema(
  z
    .object({
      model: z.enum(['free', 'flat', 'per_unit', 'graduated', 'included_overage']),
      currency: z.string(),
      flatFee: zOptionalText,
      unitPrice: zOptionalText,
      includedUnits: zOptionalNumberText,
      overageUnitPrice: zOptionalText,
      quotaMode: z.enum(['hard_cap', 'bill_overage']),
      trialDays: zOptionalNumberText,
      billable: z.enum(['below_500', 'all_admitted', 'success_only']),
      tiers: z.array(
        z.object({ upTo: zNullableNumberText, unitPrice: z.string().trim(), flatFee: zOptionalText }),
      ),
      tokens: z.boolean(),
      tokenPrices: z.object({ inputPerMillion: z.string().trim(), outputPerMillion: z.string().trim() }),
    })
    .transform(({ tokens, tokenPrices, ...rest }) => ({
      ...rest,
      tokenPrices: tokens && rest.model !== 'free' ? tokenPrices : undefined,
    })),
  ZPlanPricing,
);

/** The server names fields inside the mutation's `pricing` object (`pricing.tiers.0.upTo`). */
export const pricingErrorField = (path: string) => path.replace(/^pricing\./, '');

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
