import { formatPrice, isSupportedCurrency } from '@portcullis/core/billing/currency';
import { Decimal } from '@portcullis/core/billing/decimal';
import type { PlanPricing } from '@portcullis/core/billing/pricing';

/**
 * A plan's pricing in words for the catalog. Amounts are decimal strings in major units and are only
 * ever formatted (formatPrice keeps every digit, so $0.00025 stays $0.00025), never turned into floats.
 */

function price(amount: string | undefined, currency: string): string {
  const parsed = amount === undefined ? null : Decimal.tryParse(amount);
  if (!parsed || !isSupportedCurrency(currency)) return amount ?? '?';
  return formatPrice(parsed, currency);
}

const isPositive = (amount: string | undefined) => {
  const parsed = amount === undefined ? null : Decimal.tryParse(amount);
  return parsed !== null && !parsed.isZero();
};

const count = (n: number) => n.toLocaleString('en-US');

/** The one-line price: "Free", "$49.00 / month", "$0.002 / request", "from $0.01 / request". */
export function pricingHeadline(pricing: PlanPricing): string {
  const c = pricing.currency;
  switch (pricing.model) {
    case 'free':
      return 'Free';
    case 'flat':
      return `${price(pricing.flatFee, c)} / month`;
    case 'per_unit':
      return `${price(pricing.unitPrice, c)} / request`;
    case 'graduated':
      return `from ${price(pricing.tiers.at(-1)?.unitPrice, c)} / request`;
    case 'included_overage':
      return isPositive(pricing.flatFee) ? `${price(pricing.flatFee, c)} / month` : 'Free allowance';
  }
}

/** Every part of the price, one sentence each. */
export function pricingDetails(pricing: PlanPricing): string[] {
  const c = pricing.currency;
  const lines: string[] = [];
  const fee = isPositive(pricing.flatFee) ? `${price(pricing.flatFee, c)} per month` : null;
  switch (pricing.model) {
    case 'free':
      return ['No charge.'];
    case 'flat':
      lines.push(`${fee ?? 'A flat fee'}, whatever the usage.`);
      break;
    case 'per_unit':
      lines.push(`${price(pricing.unitPrice, c)} per billable request.`);
      if (fee) lines.push(`Plus ${fee}.`);
      break;
    case 'graduated': {
      if (fee) lines.push(`${fee}, plus usage:`);
      let from = 1;
      for (const tier of pricing.tiers) {
        const range =
          tier.upTo === null
            ? `From request ${count(from)} on`
            : `Requests ${count(from)}–${count(tier.upTo)}`;
        const extra = isPositive(tier.flatFee)
          ? ` (plus ${price(tier.flatFee, c)} once this tier is reached)`
          : '';
        lines.push(`${range}: ${price(tier.unitPrice, c)} each${extra}.`);
        if (tier.upTo !== null) from = tier.upTo + 1;
      }
      break;
    }
    case 'included_overage':
      lines.push(`${fee ?? 'No fee'}, ${count(pricing.includedUnits ?? 0)} requests included.`);
      lines.push(
        pricing.quotaMode === 'bill_overage'
          ? `Then ${price(pricing.overageUnitPrice, c)} per extra request.`
          : 'Requests beyond the allowance are refused.',
      );
      break;
  }
  if (pricing.tokenPrices) {
    lines.push(
      `Tokens: ${price(pricing.tokenPrices.inputPerMillion, c)} per million in, ${price(pricing.tokenPrices.outputPerMillion, c)} per million out.`,
    );
  }
  if (pricing.trialDays > 0) lines.push(`The first ${pricing.trialDays} days are free.`);
  if (pricing.billable === 'success_only') lines.push('Only successful (2xx/3xx) responses are billed.');
  else if (pricing.billable === 'below_500') lines.push('Server errors (5xx) are not billed.');
  return lines;
}
