import { formatPrice, isSupportedCurrency } from '@portcullis/core/billing/currency';
import { Decimal } from '@portcullis/core/billing/decimal';
import { type PlanPricing, ZDecimalString, ZPlanPricing } from '@portcullis/core/billing/pricing';
import { MCP_TOOL_NAME } from '@portcullis/core/mcp/config';
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
export type ToolPriceRow = { tool: string; price: string };
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
  /** MCP tools billed at their own price per call instead of the request price */
  toolPrices: ToolPriceRow[];
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
    toolPrices: Object.entries(pricing.toolPrices ?? {}).map(([tool, price]) => ({ tool, price })),
  };
}

export const NEW_TOOL_PRICE: ToolPriceRow = { tool: '', price: '' };

const ZToolPriceRow = z.object({
  tool: z
    .string()
    .trim()
    .regex(MCP_TOOL_NAME, { error: 'A tool name is 1–128 letters, digits, “_”, “.” or “-”' }),
  price: ZDecimalString,
});

/** Rows → the `toolPrices` map; a name typed twice is an error on its second row. */
const ZToolPriceRows = z.array(ZToolPriceRow).superRefine((rows, ctx) => {
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    if (seen.has(row.tool))
      ctx.addIssue({ code: 'custom', path: [i, 'tool'], message: 'This tool already has a price' });
    seen.add(row.tool);
  });
});

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
      toolPrices: ZToolPriceRows,
    })
    .transform(({ tokens, tokenPrices, toolPrices, ...rest }) => ({
      ...rest,
      tokenPrices: tokens && rest.model !== 'free' ? tokenPrices : undefined,
      // Kept in the draft on a free plan (like token prices), sent only with a paid model.
      toolPrices:
        toolPrices.length > 0 && rest.model !== 'free'
          ? Object.fromEntries(toolPrices.map((row) => [row.tool, row.price]))
          : undefined,
    })),
  ZPlanPricing,
);

/**
 * The server names fields inside the mutation's `pricing` object (`pricing.tiers.0.upTo`); a tool
 * price by its tool's name (`pricing.toolPrices.search`), which is a row of the draft.
 */
export function pricingErrorField(path: string, draft?: Pick<Draft, 'toolPrices'>): string {
  const field = path.replace(/^pricing\./, '');
  const tool = /^toolPrices\.(.+)$/.exec(field)?.[1];
  if (tool === undefined || !draft) return field;
  const row = draft.toolPrices.findIndex((r) => r.tool.trim() === tool);
  return row === -1 ? 'toolPrices' : `toolPrices.${row}.price`;
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
  const tools = Object.keys(pricing.toolPrices ?? {}).length;
  if (tools > 0) parts.push(`${tools} tool price${tools === 1 ? '' : 's'}`);
  if (pricing.trialDays > 0) parts.push(`${pricing.trialDays}-day trial`);
  return parts.join(' + ');
}
