import { type CurrencyCode, formatPrice, fromMinor, isSupportedCurrency, toMinor } from './currency.ts';
import { Decimal, divideRoundHalfUp } from './decimal.ts';
import type { PlanPricing, PriceTier } from './pricing.ts';

/**
 * Prices one billing period of a subscription from its usage totals. Pure and exact: amounts are
 * computed as exact decimals, each line is rounded once to the currency's minor unit with
 * ROUND_HALF_UP (ties away from zero), and the total is the exact sum of the rounded lines, so an
 * invoice always adds up.
 *
 * Rules beyond the model descriptions in pricing.ts:
 * - The flat fee is charged in full for every billed period (no proration: periods are the
 *   subscription's monthly anniversaries, so the first one is a whole period).
 * - Trial: a period that starts before `subscriptionCreatedAt + trialDays` is free. Its invoice
 *   still shows the normal lines (so the customer sees what the trial saved) followed by one
 *   `trial_credit` line of minus the subtotal; `subtotalMinor` is the price before the credit and
 *   `totalMinor` is 0. Usage after the trial's end inside that period is free too; the next
 *   period is billed in full.
 * - `hard_cap`: nothing beyond the plan's monthly quota is billed — when `monthlyQuota` is given
 *   the billed requests are capped at it (absorbing any limiter overshoot), and with
 *   `included_overage` nothing beyond `includedUnits` is billed.
 * - Every model shows the request count in a line, at price 0 where requests are not priced.
 * - Graduated tiers get one line each for the tiers the usage reached (the first tier when there
 *   was no usage); a tier's flat fee is part of its line.
 * - Token lines are added whenever the plan has token prices (not on free plans); tokens are not
 *   capped by the request quota.
 * - Tool calls (`usage.toolCalls`: billable calls per MCP tool, a subset of `billableRequests`): each
 *   tool with a price in `toolPrices` gets one `tool_calls` line (when it was called), and its calls are
 *   taken out of the requests priced by the lines above, after the hard cap (see pricing.ts), so a call
 *   is billed at its tool's price instead of the request price, never at both.
 */

type InvoiceLineKind =
  | 'flat_fee'
  | 'usage'
  | 'tier'
  | 'overage'
  | 'tokens_in'
  | 'tokens_out'
  | 'tool_calls'
  | 'trial_credit'
  /** usage that reached an already-invoiced period, charged on a later invoice (late-usage.ts) */
  | 'late_usage';

export type PricedLine = {
  kind: InvoiceLineKind;
  description: string;
  quantity: bigint;
  /** canonical decimal in major units of the invoice currency; may be below the minor unit */
  unitPrice: string;
  amountMinor: bigint;
};

export type PricedPeriod = {
  currency: CurrencyCode;
  lines: PricedLine[];
  /** sum of every line except the trial credit */
  subtotalMinor: bigint;
  /** exact sum of every line */
  totalMinor: bigint;
  trial: boolean;
};

/** Billable calls per MCP tool name. */
export type ToolCalls = Readonly<Record<string, bigint>>;

export type PeriodUsage = {
  billableRequests: bigint;
  tokensIn?: bigint;
  tokensOut?: bigint;
  /** billable calls per tool (ToolCallRollup.billable), already counted in billableRequests */
  toolCalls?: ToolCalls;
};

export type PriceSubscriptionPeriodInput = {
  pricing: PlanPricing;
  planName: string;
  period: { start: Date; end: Date };
  subscriptionCreatedAt: Date;
  usage: PeriodUsage;
  /** the plan's monthly quota; with `hard_cap`, requests beyond it are never billed */
  monthlyQuota?: bigint | number | null;
};

const DAY_MS = 86_400_000;
const TOKENS_PER_PRICE_UNIT = 6; // token prices are per million

const count = (n: bigint) => n.toLocaleString('en-US');
const isoDay = (at: Date) => at.toISOString().slice(0, 10);
const minBig = (a: bigint, b: bigint) => (a < b ? a : b);

function nonNegative(name: string, value: bigint | undefined): bigint {
  if (value === undefined) return 0n;
  if (value < 0n) throw new RangeError(`${name} must not be negative`);
  return value;
}

/** When the trial ends, or null without a trial. */
export function trialEndsAt(
  pricing: Pick<PlanPricing, 'trialDays'>,
  subscriptionCreatedAt: Date,
): Date | null {
  if (pricing.trialDays <= 0) return null;
  return new Date(subscriptionCreatedAt.getTime() + pricing.trialDays * DAY_MS);
}

class LineBuilder {
  readonly lines: PricedLine[] = [];
  constructor(readonly currency: CurrencyCode) {}

  price(value: Decimal): string {
    return formatPrice(value, this.currency);
  }

  /** The line's exact amount is quantity × unitPrice + extra, rounded once. */
  add(
    kind: InvoiceLineKind,
    description: string,
    quantity: bigint,
    unitPrice: Decimal,
    extra = Decimal.ZERO,
  ) {
    const exact = unitPrice.mulInt(quantity).add(extra);
    const amountMinor = toMinor(exact, this.currency);
    this.lines.push({ kind, description, quantity, unitPrice: unitPrice.toString(), amountMinor });
  }
}

function addTierLines(out: LineBuilder, tiers: PriceTier[], requests: bigint) {
  let lowerBound = 0n;
  tiers.forEach((tier, index) => {
    const upperBound = tier.upTo === null ? null : BigInt(tier.upTo);
    const inTier = upperBound === null ? requests - lowerBound : minBig(requests, upperBound) - lowerBound;
    const reached = inTier > 0n || (index === 0 && requests === 0n);
    if (reached) {
      const quantity = inTier > 0n ? inTier : 0n;
      const unitPrice = Decimal.parse(tier.unitPrice);
      const tierFee = inTier > 0n ? Decimal.parse(tier.flatFee) : Decimal.ZERO;
      const range = `${count(lowerBound + 1n)}–${upperBound === null ? '∞' : count(upperBound)}`;
      const fee = tierFee.isZero() ? '' : ` + ${out.price(tierFee)} tier fee`;
      out.add(
        'tier',
        `Requests ${range} (tier ${index + 1}): ${count(quantity)} × ${out.price(unitPrice)}${fee}`,
        quantity,
        unitPrice,
        tierFee,
      );
    }
    if (upperBound !== null && upperBound > lowerBound) lowerBound = upperBound;
  });
}

function addRequestLines(out: LineBuilder, pricing: PlanPricing, requests: bigint) {
  switch (pricing.model) {
    case 'free':
    case 'flat':
      out.add('usage', `Requests: ${count(requests)} (included)`, requests, Decimal.ZERO);
      return;
    case 'per_unit': {
      const unitPrice = Decimal.parse(pricing.unitPrice ?? '0');
      out.add('usage', `Requests: ${count(requests)} × ${out.price(unitPrice)}`, requests, unitPrice);
      return;
    }
    case 'graduated':
      addTierLines(out, pricing.tiers, requests);
      return;
    case 'included_overage': {
      const included = BigInt(pricing.includedUnits ?? 0);
      const withinIncluded = minBig(requests, included);
      out.add(
        'usage',
        `Included requests: ${count(withinIncluded)} of ${count(included)}`,
        withinIncluded,
        Decimal.ZERO,
      );
      if (pricing.quotaMode === 'bill_overage') {
        const overage = requests > included ? requests - included : 0n;
        const unitPrice = Decimal.parse(pricing.overageUnitPrice ?? '0');
        out.add(
          'overage',
          `Requests beyond the included ${count(included)}: ${count(overage)} × ${out.price(unitPrice)}`,
          overage,
          unitPrice,
        );
      }
      return;
    }
  }
}

function addTokenLines(out: LineBuilder, pricing: PlanPricing, usage: PeriodUsage) {
  if (pricing.model === 'free' || !pricing.tokenPrices) return;
  const meters = [
    ['tokens_in', 'Input tokens', usage.tokensIn, pricing.tokenPrices.inputPerMillion],
    ['tokens_out', 'Output tokens', usage.tokensOut, pricing.tokenPrices.outputPerMillion],
  ] as const;
  for (const [kind, label, used, perMillionText] of meters) {
    const quantity = nonNegative(label, used);
    const perMillion = Decimal.parse(perMillionText);
    const perToken = perMillion.shiftLeft(TOKENS_PER_PRICE_UNIT);
    out.add(kind, `${label}: ${count(quantity)} × ${out.price(perMillion)} per million`, quantity, perToken);
  }
}

/** The priced tools with billable calls, by name: what gets a line and leaves the request lines. */
function pricedToolCalls(
  pricing: Pick<PlanPricing, 'model' | 'toolPrices'>,
  toolCalls: ToolCalls | undefined,
): { tool: string; calls: bigint; unitPrice: Decimal }[] {
  if (pricing.model === 'free' || !pricing.toolPrices || !toolCalls) return [];
  const priced: { tool: string; calls: bigint; unitPrice: Decimal }[] = [];
  for (const tool of Object.keys(pricing.toolPrices).sort()) {
    const calls = nonNegative(`toolCalls.${tool}`, toolCalls[tool]);
    const price = pricing.toolPrices[tool];
    if (calls > 0n && price !== undefined) priced.push({ tool, calls, unitPrice: Decimal.parse(price) });
  }
  return priced;
}

function addToolLines(out: LineBuilder, priced: ReturnType<typeof pricedToolCalls>) {
  for (const { tool, calls, unitPrice } of priced) {
    out.add(
      'tool_calls',
      `Tool calls: ${tool} (${count(calls)} × ${out.price(unitPrice)})`,
      calls,
      unitPrice,
    );
  }
}

export function priceSubscriptionPeriod(input: PriceSubscriptionPeriodInput): PricedPeriod {
  const { pricing, planName, period, usage } = input;
  if (!isSupportedCurrency(pricing.currency))
    throw new RangeError(`unsupported currency: ${pricing.currency}`);
  if (period.end.getTime() <= period.start.getTime())
    throw new RangeError('the period must end after it starts');
  const out = new LineBuilder(pricing.currency);

  let requests = nonNegative('billableRequests', usage.billableRequests);
  if (pricing.quotaMode === 'hard_cap' && input.monthlyQuota !== undefined && input.monthlyQuota !== null) {
    requests = minBig(requests, BigInt(input.monthlyQuota));
  }
  const toolLines = pricedToolCalls(pricing, usage.toolCalls);
  const toolPriced = toolLines.reduce((sum, line) => sum + line.calls, 0n);
  requests = requests > toolPriced ? requests - toolPriced : 0n;

  const flatFee = Decimal.parse(pricing.flatFee);
  if (pricing.model !== 'free' && !flatFee.isZero()) {
    out.add('flat_fee', `${planName}: fee for ${isoDay(period.start)} to ${isoDay(period.end)}`, 1n, flatFee);
  }
  addRequestLines(out, pricing, requests);
  addToolLines(out, toolLines);
  addTokenLines(out, pricing, usage);

  const subtotalMinor = out.lines.reduce((sum, line) => sum + line.amountMinor, 0n);
  const trialEnd = trialEndsAt(pricing, input.subscriptionCreatedAt);
  const trial = trialEnd !== null && period.start.getTime() < trialEnd.getTime();
  if (trial && subtotalMinor !== 0n) {
    const credit = fromMinor(-subtotalMinor, pricing.currency);
    out.add('trial_credit', `Free trial (until ${isoDay(trialEnd)})`, 1n, credit);
  }
  const totalMinor = out.lines.reduce((sum, line) => sum + line.amountMinor, 0n);
  return { currency: pricing.currency, lines: out.lines, subtotalMinor, totalMinor, trial };
}

export type ProjectPeriodChargeInput = Omit<PriceSubscriptionPeriodInput, 'usage' | 'period'> & {
  periodStart: Date;
  periodEnd: Date;
  now: Date;
  usedSoFar: bigint;
  tokensInSoFar?: bigint;
  tokensOutSoFar?: bigint;
  toolCallsSoFar?: ToolCalls;
};

export type ProjectedCharge = PricedPeriod & {
  /** usage extrapolated to the whole period (before any hard-cap capping, which the lines apply) */
  projectedUsage: Required<PeriodUsage>;
};

/** Each tool's calls extrapolated like the requests (so the projection prices a tool's share alike). */
function extrapolateToolCalls(calls: ToolCalls | undefined, elapsedMs: bigint, periodMs: bigint): ToolCalls {
  const out: Record<string, bigint> = {};
  for (const [tool, used] of Object.entries(calls ?? {})) {
    out[tool] = extrapolateUsage(nonNegative(`toolCalls.${tool}`, used), elapsedMs, periodMs);
  }
  return out;
}

/**
 * `used × periodLength / elapsed`, rounded half up to a whole unit. Before the period has started
 * there is no rate to extrapolate and after it ended the usage is final: both return `used`.
 */
export function extrapolateUsage(used: bigint, elapsedMs: bigint, periodMs: bigint): bigint {
  if (elapsedMs <= 0n || elapsedMs >= periodMs) return used;
  return divideRoundHalfUp(used * periodMs, elapsedMs);
}

/** The charge for the whole period if usage continues at the rate seen so far, with its lines. */
export function projectPeriodCharge(input: ProjectPeriodChargeInput): ProjectedCharge {
  const { periodStart, periodEnd, now } = input;
  const periodMs = BigInt(periodEnd.getTime() - periodStart.getTime());
  if (periodMs <= 0n) throw new RangeError('the period must end after it starts');
  const elapsedMs = BigInt(now.getTime() - periodStart.getTime());
  const projectedUsage = {
    billableRequests: extrapolateUsage(nonNegative('usedSoFar', input.usedSoFar), elapsedMs, periodMs),
    tokensIn: extrapolateUsage(nonNegative('tokensInSoFar', input.tokensInSoFar), elapsedMs, periodMs),
    tokensOut: extrapolateUsage(nonNegative('tokensOutSoFar', input.tokensOutSoFar), elapsedMs, periodMs),
    toolCalls: extrapolateToolCalls(input.toolCallsSoFar, elapsedMs, periodMs),
  };
  const priced = priceSubscriptionPeriod({
    pricing: input.pricing,
    planName: input.planName,
    period: { start: periodStart, end: periodEnd },
    subscriptionCreatedAt: input.subscriptionCreatedAt,
    usage: projectedUsage,
    monthlyQuota: input.monthlyQuota,
  });
  return { ...priced, projectedUsage };
}
