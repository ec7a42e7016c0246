import { fromMinor } from './currency.ts';
import {
  type PeriodUsage,
  type PricedLine,
  type PriceSubscriptionPeriodInput,
  priceSubscriptionPeriod,
  type ToolCalls,
} from './invoice.ts';

/**
 * The charge for usage that reached a billing period after the period was invoiced. The issued invoice
 * stays as it is; the difference goes on a later invoice as one line:
 *
 *   charge = price(the period's usage now) − price(the usage already billed for it)
 *
 * with both prices computed by the same engine, pricing and quota the period was invoiced with. So a
 * late request is priced at the tier it really falls in (graduated tiers, included units, hard caps and
 * trials included), each rounding happens exactly as it would have on the period's own invoice, and the
 * period's invoice plus all its adjustments always add up to exactly price(final usage): nothing is
 * billed twice and nothing is lost to rounding. Pricing the late requests on their own (delta × unit
 * price) would get neither right.
 */

export type LateUsageInput = Omit<PriceSubscriptionPeriodInput, 'usage'> & {
  /** usage the period has been billed for so far: its invoice's, or the last adjustment's */
  billed: PeriodUsage;
  /** the period's usage now (from the rollups) */
  actual: PeriodUsage;
  /** the adjusted period's invoice number, named on the line */
  invoiceNumber?: string;
};

export type LateUsageCharge = {
  currency: string;
  amountMinor: bigint;
  line: PricedLine;
  added: Required<PeriodUsage>;
};

const isoDay = (at: Date) => at.toISOString().slice(0, 10);
const count = (n: bigint) => n.toLocaleString('en-US');

const full = (usage: PeriodUsage): Required<PeriodUsage> => ({
  billableRequests: usage.billableRequests,
  tokensIn: usage.tokensIn ?? 0n,
  tokensOut: usage.tokensOut ?? 0n,
  toolCalls: usage.toolCalls ?? {},
});

/** Calls per tool added since `billed`; null when a tool's count went down. */
function addedToolCalls(billed: ToolCalls, actual: ToolCalls): Record<string, bigint> | null {
  const added: Record<string, bigint> = {};
  for (const tool of new Set([...Object.keys(billed), ...Object.keys(actual)])) {
    const delta = (actual[tool] ?? 0n) - (billed[tool] ?? 0n);
    if (delta < 0n) return null;
    if (delta > 0n) added[tool] = delta;
  }
  return added;
}

/** Throws a RangeError when the period's usage went down: that is not late usage and needs a person. */
export function priceLateUsage(input: LateUsageInput): LateUsageCharge {
  const { billed: billedInput, actual: actualInput, invoiceNumber, ...pricing } = input;
  const billed = full(billedInput);
  const actual = full(actualInput);
  const toolCalls = addedToolCalls(billed.toolCalls, actual.toolCalls);
  const added = {
    billableRequests: actual.billableRequests - billed.billableRequests,
    tokensIn: actual.tokensIn - billed.tokensIn,
    tokensOut: actual.tokensOut - billed.tokensOut,
    toolCalls: toolCalls ?? {},
  };
  if (added.billableRequests < 0n || added.tokensIn < 0n || added.tokensOut < 0n || toolCalls === null)
    throw new RangeError('the period’s usage is lower than what was billed for it');
  const before = priceSubscriptionPeriod({ ...pricing, usage: billed });
  const after = priceSubscriptionPeriod({ ...pricing, usage: actual });
  const amountMinor = after.totalMinor - before.totalMinor;
  const parts = [`+${count(added.billableRequests)} requests`];
  if (added.tokensIn > 0n) parts.push(`+${count(added.tokensIn)} input tokens`);
  if (added.tokensOut > 0n) parts.push(`+${count(added.tokensOut)} output tokens`);
  const { start, end } = pricing.period;
  const which = invoiceNumber ? ` (${invoiceNumber})` : '';
  return {
    currency: after.currency,
    amountMinor,
    added,
    line: {
      kind: 'late_usage',
      description: `Usage from ${isoDay(start)} to ${isoDay(end)} received after it was invoiced${which}: ${parts.join(', ')}`,
      quantity: 1n,
      unitPrice: fromMinor(amountMinor, after.currency).toString(),
      amountMinor,
    },
  };
}
