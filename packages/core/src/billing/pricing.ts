import { z } from 'zod';
import { MCP_TOOL_NAME } from '../mcp/config.ts';
import {
  CURRENCY_CODES,
  currencyExponent,
  fitsMinorUnit,
  fromMinor,
  isSupportedCurrency,
} from './currency.ts';
import { Decimal, MAX_FRACTION_DIGITS } from './decimal.ts';

/**
 * How a plan charges: the JSON document stored in `Plan.pricing`, validated by `ZPlanPricing`.
 * Prices are decimal strings in major units of the plan's `currency` ("49.00", "0.00025"), never
 * floats; invoices are computed exactly and each line is rounded once to the currency's minor unit
 * (ROUND_HALF_UP). One period is one billing period of the subscription.
 *
 * Models:
 * - `free` — nothing is ever charged (no fee, no token prices).
 * - `flat` — a fixed `flatFee` per period, whatever the usage.
 * - `per_unit` — every billable request costs `unitPrice`, plus the optional `flatFee`.
 * - `graduated` — requests are priced tier by tier: `tiers[i]` covers the requests after the
 *   previous tier's `upTo` up to its own `upTo` (inclusive; `null` = no upper bound, last tier
 *   only) at its `unitPrice`, plus its own `flatFee` once the usage reaches that tier.
 * - `included_overage` — `flatFee` covers `includedUnits` requests; requests beyond them cost
 *   `overageUnitPrice` each when `quotaMode` is `bill_overage`.
 *
 * `quotaMode` decides what happens at the plan's monthly quota: `hard_cap` — the gateway refuses
 * further requests, and nothing beyond the quota (or beyond `includedUnits`) is ever billed;
 * `bill_overage` — the gateway keeps admitting requests and they are billed (at `overageUnitPrice`,
 * or at the model's own unit price / tiers).
 *
 * `billable` says which admitted requests count: `below_500` (default: every response status
 * below 500, so upstream failures are not charged), `success_only` (2xx and 3xx) or `all_admitted`.
 * `tokenPrices` (per million input / output tokens) add token lines for AI APIs on any paid model.
 * `toolPrices` (MCP tool name → price per call) bill the billable calls of those tools at their own
 * price INSTEAD of the request price, on any paid model: the period's billable calls of priced tools
 * are taken out of the billable requests before the request lines (per unit, tiers, included units,
 * overage) are computed, and each priced tool gets its own line. Under `hard_cap` the quota caps the
 * period's billable requests first (tool calls included), then the priced calls are taken out of what
 * remains, so tool calls use up included units and tiers no more than any other request. Tools without
 * a price are ordinary requests. Like the other per-request prices, a tool price may be below the
 * currency's minor unit (each line is rounded once).
 * `trialDays`: a billing period that starts before the trial ends is free — its invoice shows the
 * normal lines and a `trial_credit` line cancelling them.
 * Fields that do not belong to the chosen model are kept but ignored, so a form can switch models
 * without losing what was typed.
 */

const DECIMAL_EXAMPLE = 'Enter an amount like 49.00 or 0.00025';

function decimalStringProblem(text: string): string | null {
  if (text === '') return 'Enter an amount';
  if (/[eE]/.test(text)) return 'Write the number out in full, like 0.001 (no exponent)';
  if (text.startsWith('-')) return 'Must not be negative';
  if (!/^\d+(\.\d+)?$/.test(text)) return DECIMAL_EXAMPLE;
  if ((text.split('.')[1] ?? '').length > MAX_FRACTION_DIGITS) {
    return `At most ${MAX_FRACTION_DIGITS} digits after the decimal point`;
  }
  return Decimal.tryParse(text) === null ? 'The amount is too large' : null;
}

/** A non-negative price in major units as a plain decimal string: "49.00", "0.00025". */
export const ZDecimalString = z
  .string({ error: DECIMAL_EXAMPLE })
  .trim()
  .superRefine((text, ctx) => {
    const problem = decimalStringProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const ZCurrencyCode = z
  .string({ error: 'Choose a currency' })
  .trim()
  .toLowerCase()
  .refine(isSupportedCurrency, { error: `Choose one of: ${CURRENCY_CODES.join(', ')}` });

const ZPricingModel = z.enum(['free', 'flat', 'per_unit', 'graduated', 'included_overage'], {
  error: 'Choose a pricing model',
});

const ZQuotaMode = z.enum(['hard_cap', 'bill_overage'], { error: 'Choose hard cap or bill overage' });

const ZBillableStatuses = z.enum(['below_500', 'all_admitted', 'success_only'], {
  error: 'Choose which responses are billed',
});

const wholeNumber = (what: string) =>
  z.number({ error: `Enter ${what}` }).int({ error: 'Enter a whole number' });

const ZPriceTier = z.object({
  /** inclusive cumulative upper bound in requests; null = unbounded (last tier only) */
  upTo: wholeNumber('the tier limit').positive({ error: 'Must be at least 1' }).nullable().default(null),
  unitPrice: ZDecimalString,
  flatFee: ZDecimalString.default('0'),
});
export type PriceTier = z.infer<typeof ZPriceTier>;

const ZTokenPrices = z.object({
  inputPerMillion: ZDecimalString,
  outputPerMillion: ZDecimalString,
});

const MAX_PRICE_TIERS = 20;
const MAX_TOOL_PRICES = 500;

/** An MCP tool name, as the gateway meters it (the usage stream's tool field). */
const ZToolName = z
  .string()
  .regex(MCP_TOOL_NAME, { error: 'A tool name is 1–128 letters, digits, “_”, “.” or “-”' });

const ZToolPrices = z
  .record(ZToolName, ZDecimalString)
  .refine((prices) => Object.keys(prices).length <= MAX_TOOL_PRICES, {
    error: `At most ${MAX_TOOL_PRICES} tool prices`,
  });

const ZPlanPricingFields = z.object({
  model: ZPricingModel.default('free'),
  currency: ZCurrencyCode.default('usd'),
  flatFee: ZDecimalString.default('0'),
  unitPrice: ZDecimalString.optional(),
  tiers: z
    .array(ZPriceTier)
    .max(MAX_PRICE_TIERS, { error: `At most ${MAX_PRICE_TIERS} tiers` })
    .default([]),
  includedUnits: wholeNumber('the included requests').min(0, { error: 'Must be 0 or more' }).optional(),
  overageUnitPrice: ZDecimalString.optional(),
  quotaMode: ZQuotaMode.default('hard_cap'),
  trialDays: wholeNumber('the trial length in days')
    .min(0, { error: 'Between 0 and 365 days' })
    .max(365, { error: 'Between 0 and 365 days' })
    .default(0),
  billable: ZBillableStatuses.default('below_500'),
  tokenPrices: ZTokenPrices.optional(),
  toolPrices: ZToolPrices.optional(),
});

type PricingFields = z.output<typeof ZPlanPricingFields>;
type IssueSink = (path: (string | number)[], message: string) => void;

const isPositive = (text: string | undefined) => {
  const value = text === undefined ? null : Decimal.tryParse(text);
  return value !== null && !value.isZero();
};

function checkFeeFitsCurrency(fee: string, currency: string, path: (string | number)[], issue: IssueSink) {
  const value = Decimal.tryParse(fee);
  if (value === null || !isSupportedCurrency(currency) || fitsMinorUnit(value, currency)) return;
  const exponent = currencyExponent(currency);
  const code = currency.toUpperCase();
  issue(
    path,
    exponent === 0
      ? `${code} has no minor unit: use a whole amount`
      : `At most ${exponent} decimals for ${code}`,
  );
}

function checkTiers(tiers: PriceTier[], currency: string, issue: IssueSink) {
  if (tiers.length === 0) {
    issue(['tiers'], 'Add at least one tier');
    return;
  }
  let previousUpTo = 0;
  tiers.forEach((tier, index) => {
    const isLast = index === tiers.length - 1;
    // A limit that is not a positive whole number already has its field-level issue.
    const wellFormed = tier.upTo !== null && Number.isSafeInteger(tier.upTo) && tier.upTo >= 1;
    if (tier.upTo === null) {
      if (!isLast) issue(['tiers', index, 'upTo'], 'Only the last tier can be unlimited');
    } else if (isLast) {
      issue(['tiers', index, 'upTo'], 'The last tier must be unlimited (leave the limit empty)');
    } else if (wellFormed && tier.upTo <= previousUpTo) {
      issue(['tiers', index, 'upTo'], `Must be more than the previous tier's limit (${previousUpTo})`);
    }
    if (wellFormed && tier.upTo !== null && tier.upTo > previousUpTo) previousUpTo = tier.upTo;
    checkFeeFitsCurrency(tier.flatFee, currency, ['tiers', index, 'flatFee'], issue);
  });
}

function checkModelFields(pricing: PricingFields, issue: IssueSink) {
  checkFeeFitsCurrency(pricing.flatFee, pricing.currency, ['flatFee'], issue);
  switch (pricing.model) {
    case 'free':
      if (isPositive(pricing.flatFee)) issue(['flatFee'], 'A free plan has no fee');
      if (pricing.tokenPrices) issue(['tokenPrices'], 'A free plan cannot charge for tokens');
      if (pricing.toolPrices && Object.keys(pricing.toolPrices).length > 0)
        issue(['toolPrices'], 'A free plan cannot charge for tool calls');
      break;
    case 'flat':
      if (!isPositive(pricing.flatFee)) issue(['flatFee'], 'Enter the fee per period (above 0)');
      break;
    case 'per_unit':
      if (pricing.unitPrice === undefined) issue(['unitPrice'], 'Enter the price per request');
      break;
    case 'graduated':
      checkTiers(pricing.tiers, pricing.currency, issue);
      break;
    case 'included_overage':
      if (pricing.includedUnits === undefined)
        issue(['includedUnits'], 'Enter how many requests are included');
      if (pricing.quotaMode === 'bill_overage' && pricing.overageUnitPrice === undefined) {
        issue(['overageUnitPrice'], 'Enter the price per request beyond the included ones');
      }
      break;
  }
}

export const ZPlanPricing = ZPlanPricingFields.superRefine((pricing, ctx) =>
  checkModelFields(pricing, (path, message) => ctx.addIssue({ code: 'custom', path, message })),
);
/** What is stored and priced (defaults applied). */
export type PlanPricing = z.output<typeof ZPlanPricing>;
/** What a form or API client may send. */
export type PlanPricingInput = z.input<typeof ZPlanPricing>;

/** `{}` parses to this: a free plan in usd. */
export const DEFAULT_PLAN_PRICING: PlanPricing = ZPlanPricing.parse({});

/** Whether a response with this status counts towards the bill (the request was admitted by the gateway). */
export function isBillableStatus(pricing: Pick<PlanPricing, 'billable'>, status: number): boolean {
  switch (pricing.billable) {
    case 'all_admitted':
      return true;
    case 'success_only':
      return status >= 200 && status < 400;
    case 'below_500':
      return status < 500;
  }
}

/** Whether the gateway refuses requests once the plan's monthly quota is used up. */
export function blocksAtQuota(pricing: Pick<PlanPricing, 'quotaMode'>): boolean {
  return pricing.quotaMode === 'hard_cap';
}

/**
 * The pricing equivalent to a plan that only has the legacy `priceMonthlyMinor` + `currency`
 * columns: free at 0, otherwise a flat fee.
 */
export function pricingFromLegacyPlan(plan: { priceMonthlyMinor: number; currency: string }): PlanPricing {
  const currency = plan.currency.toLowerCase();
  if (plan.priceMonthlyMinor <= 0) return ZPlanPricing.parse({ currency });
  const fee = fromMinor(BigInt(plan.priceMonthlyMinor), currency).toFixed(currencyExponent(currency));
  return ZPlanPricing.parse({ model: 'flat', currency, flatFee: fee });
}
