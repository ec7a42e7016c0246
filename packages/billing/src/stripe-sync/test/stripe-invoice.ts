import { Decimal } from '@portcullis/core/billing/decimal';
import type { FakeStripe } from '../../../../../test/fakes/stripe/server.ts';

type FakePrice = {
  id: string;
  billing_scheme: 'per_unit' | 'tiered';
  unit_amount_decimal: string | null;
  tiers_mode: 'graduated' | 'volume' | null;
  /** the fake keeps tiers out of the rendered price (Stripe includes them only when expanded) */
  tiersStored?: Array<{
    up_to: number | null;
    unit_amount_decimal: string | null;
    flat_amount_decimal: string | null;
  }>;
  recurring: { usage_type: 'licensed' | 'metered'; meter: string | null };
};

const minor = (value: Decimal) => value.toScaledBigInt(0);
const times = (quantity: bigint, amount: string | null) =>
  minor(Decimal.parse(amount ?? '0').mulInt(quantity));

/** Graduated tiers as Stripe bills them: one line per tier reached, each rounded on its own. */
function graduated(price: FakePrice, quantity: bigint): bigint {
  let total = 0n;
  let previous = 0n;
  for (const tier of price.tiersStored ?? []) {
    if (quantity <= previous) break;
    const upTo = tier.up_to === null ? quantity : BigInt(tier.up_to);
    const inTier = (quantity < upTo ? quantity : upTo) - previous;
    total += times(inTier, tier.unit_amount_decimal) + minor(Decimal.parse(tier.flat_amount_decimal ?? '0'));
    previous = upTo;
  }
  return total;
}

/**
 * What the Stripe subscription's next invoice charges, in minor units, from the fake's state: each
 * licensed item once, each metered item for what its meter summed for the customer. Lines are
 * rounded one by one, as Stripe's invoice lines are. Throws on what the Portcullis catalog never makes.
 */
export function stripeInvoiceMinor(
  fake: FakeStripe,
  stripeSubscriptionId: string,
  customerId: string,
): { totalMinor: bigint; byPrice: Record<string, bigint> } {
  const subscription = fake.state.subscriptions.get(stripeSubscriptionId);
  if (!subscription) throw new Error(`no Stripe subscription ${stripeSubscriptionId}`);
  const items = (subscription.items as { data: Array<{ price: FakePrice; quantity?: number }> }).data;
  const byPrice: Record<string, bigint> = {};
  let totalMinor = 0n;
  for (const item of items) {
    const price = fake.state.prices.get(item.price.id) as unknown as FakePrice;
    let amount: bigint;
    if (price.recurring.usage_type === 'licensed') {
      amount = times(BigInt(item.quantity ?? 1), price.unit_amount_decimal);
    } else {
      const meter = fake.state.meters.get(price.recurring.meter ?? '');
      if (!meter) throw new Error(`price ${price.id} has no meter`);
      const used = fake.state.meterTotal(meter.event_name as string, customerId);
      if (price.billing_scheme === 'per_unit') amount = times(used, price.unit_amount_decimal);
      else if (price.tiers_mode === 'graduated') amount = graduated(price, used);
      else throw new Error(`price ${price.id}: volume tiers are not made by Portcullis`);
    }
    byPrice[price.id] = amount;
    totalMinor += amount;
  }
  return { totalMinor, byPrice };
}
