import { createHash } from 'node:crypto';
import { currencyExponent, toMinor } from '@portcullis/core/billing/currency';
import { Decimal, pow10 } from '@portcullis/core/billing/decimal';
import type { PlanPricing } from '@portcullis/core/billing/pricing';
import type { EnsurePlanCatalogInput, UsageTier } from '../stripe/catalog.ts';
import type { ToolPriceInput } from '../stripe/tool-catalog.ts';

/** One meter per plan: the name never changes with the plan's prices, so past usage stays on one meter. */
export function planMeterEventName(planId: string): string {
  return `portcullis.requests.${planId}`;
}

const MAX_EVENT_NAME = 100;

/**
 * One meter per plan and priced tool, under a name that never changes with the price. Tool names may
 * be longer than an event name allows; those are named by a hash of the tool instead.
 */
export function toolMeterEventName(planId: string, tool: string): string {
  const readable = `portcullis.tools.${planId}.${tool}`;
  if (readable.length <= MAX_EVENT_NAME) return readable;
  return `portcullis.tools.${planId}.${createHash('sha256').update(tool).digest('hex').slice(0, 40)}`;
}

export type PlanCatalogMapping =
  | { kind: 'skip'; reason: string }
  | {
      kind: 'catalog';
      input: EnsurePlanCatalogInput;
      trialDays: number;
      /** parts of the pricing Stripe is not told about (the local invoice still has them) */
      notSynced: string[];
    };

/** A price per request in major units as Stripe's unit_amount_decimal (minor units): "0.001" usd → "0.1". */
export function minorUnitDecimal(major: string, currency: string): string {
  return Decimal.parse(major)
    .mul(Decimal.fromBigInt(pow10(currencyExponent(currency))))
    .toString();
}

const isZero = (text: string | undefined) => text === undefined || Decimal.parse(text).isZero();

/**
 * What a plan's pricing becomes in the tenant's Stripe account: a product, a licensed price for the
 * flat fee and a metered price on the plan's meter for billable requests. Stripe graduated tiers mean
 * what Portcullis tiers mean (each tier's unit price for the requests inside it, its flat fee once
 * reached); included units become a free first tier. Plans that can never charge anything are skipped.
 */
export function planCatalogMapping(plan: {
  tenantOrgId: string;
  planId: string;
  planName: string;
  pricing: PlanPricing;
}): PlanCatalogMapping {
  const { pricing } = plan;
  const currency = pricing.currency;
  const flatFeeMinor = toMinor(Decimal.parse(pricing.flatFee), currency);
  const meterEventName = planMeterEventName(plan.planId);
  const notSynced: string[] = [];
  if (pricing.model !== 'free' && pricing.tokenPrices) notSynced.push('token prices');
  // Priced tool calls are billed on their tool's meter instead of the request meter (meter-split.ts).
  const tools: ToolPriceInput[] =
    pricing.model === 'free'
      ? []
      : Object.entries(pricing.toolPrices ?? {})
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([tool, price]) => ({
            tool,
            meterEventName: toolMeterEventName(plan.planId, tool),
            unitAmountDecimal: minorUnitDecimal(price, currency),
          }));
  let usage: EnsurePlanCatalogInput['usage'];

  switch (pricing.model) {
    case 'free':
      return { kind: 'skip', reason: 'free plan' };
    case 'flat':
      break;
    case 'per_unit':
      if (!isZero(pricing.unitPrice)) {
        usage = { meterEventName, unitAmountDecimal: minorUnitDecimal(pricing.unitPrice!, currency) };
      }
      break;
    case 'graduated': {
      const tiers: UsageTier[] = pricing.tiers.map((tier) => {
        const flat = toMinor(Decimal.parse(tier.flatFee), currency);
        return {
          upTo: tier.upTo === null ? 'inf' : BigInt(tier.upTo),
          unitAmountDecimal: minorUnitDecimal(tier.unitPrice, currency),
          ...(flat > 0n ? { flatAmountMinor: flat } : {}),
        };
      });
      usage = { meterEventName, tiers, tiersMode: 'graduated' };
      break;
    }
    case 'included_overage': {
      // A hard cap never bills beyond the included requests: the fee is the whole price.
      if (pricing.quotaMode !== 'bill_overage' || isZero(pricing.overageUnitPrice)) break;
      const overage = minorUnitDecimal(pricing.overageUnitPrice!, currency);
      const included = BigInt(pricing.includedUnits ?? 0);
      usage =
        included > 0n
          ? {
              meterEventName,
              tiersMode: 'graduated',
              tiers: [
                { upTo: included, unitAmountDecimal: '0' },
                { upTo: 'inf', unitAmountDecimal: overage },
              ],
            }
          : { meterEventName, unitAmountDecimal: overage };
      break;
    }
  }
  if (flatFeeMinor === 0n && !usage && tools.length === 0)
    return { kind: 'skip', reason: 'nothing to charge' };
  return {
    kind: 'catalog',
    input: {
      tenantOrgId: plan.tenantOrgId,
      planId: plan.planId,
      planName: plan.planName,
      currency,
      interval: 'month',
      flatFeeMinor,
      ...(usage ? { usage } : {}),
      ...(tools.length > 0 ? { tools } : {}),
    },
    trialDays: pricing.trialDays,
    notSynced,
  };
}
