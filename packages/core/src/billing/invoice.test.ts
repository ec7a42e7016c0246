import { describe, expect, it } from 'vitest';
import {
  extrapolateUsage,
  type PricedPeriod,
  type PriceSubscriptionPeriodInput,
  priceSubscriptionPeriod,
  projectPeriodCharge,
  trialEndsAt,
} from './invoice.ts';
import { type PlanPricingInput, ZPlanPricing } from './pricing.ts';

const JAN = { start: new Date('2026-01-01T00:00:00.000Z'), end: new Date('2026-02-01T00:00:00.000Z') };
const LONG_AGO = new Date('2025-01-01T00:00:00.000Z');

function price(
  pricing: PlanPricingInput,
  billableRequests: bigint,
  extra: Partial<PriceSubscriptionPeriodInput> = {},
): PricedPeriod {
  return priceSubscriptionPeriod({
    pricing: ZPlanPricing.parse(pricing),
    planName: 'Pro',
    period: JAN,
    subscriptionCreatedAt: LONG_AGO,
    usage: { billableRequests },
    ...extra,
  });
}

/** kind, quantity, unit price, amount: the figures an invoice line commits to. */
const figures = (priced: PricedPeriod) =>
  priced.lines.map((line) => [line.kind, line.quantity, line.unitPrice, line.amountMinor]);

const sumOfLines = (priced: PricedPeriod) => priced.lines.reduce((sum, line) => sum + line.amountMinor, 0n);

const TIERS: PlanPricingInput = {
  model: 'graduated',
  tiers: [
    { upTo: 1000, unitPrice: '0' },
    { upTo: 10_000, unitPrice: '0.001' },
    { upTo: null, unitPrice: '0.0005' },
  ],
};

describe('priceSubscriptionPeriod: models', () => {
  it('prices 1,000,000 requests at $0.00025 at exactly $250.00', () => {
    const priced = price({ model: 'per_unit', unitPrice: '0.00025' }, 1_000_000n);
    expect(figures(priced)).toEqual([['usage', 1_000_000n, '0.00025', 25_000n]]);
    expect(priced.lines[0]?.description).toBe('Requests: 1,000,000 × $0.00025');
    expect(priced).toMatchObject({
      currency: 'usd',
      subtotalMinor: 25_000n,
      totalMinor: 25_000n,
      trial: false,
    });
  });

  it('adds the flat fee as its own line', () => {
    const priced = price({ model: 'per_unit', unitPrice: '0.001', flatFee: '49.00' }, 12_345n);
    expect(figures(priced)).toEqual([
      ['flat_fee', 1n, '49', 4900n],
      ['usage', 12_345n, '0.001', 1235n], // $12.345 rounds half up to $12.35
    ]);
    expect(priced.lines[0]?.description).toBe('Pro: fee for 2026-01-01 to 2026-02-01');
    expect(priced.totalMinor).toBe(6135n);
  });

  it('shows usage at price 0 on free and flat plans', () => {
    expect(figures(price({ model: 'free' }, 42n))).toEqual([['usage', 42n, '0', 0n]]);
    expect(price({ model: 'free' }, 42n).totalMinor).toBe(0n);
    expect(figures(price({ model: 'flat', flatFee: '19.99' }, 42n))).toEqual([
      ['flat_fee', 1n, '19.99', 1999n],
      ['usage', 42n, '0', 0n],
    ]);
  });

  it('prices graduated tiers tier by tier: 25,000 requests cost $16.50', () => {
    const priced = price(TIERS, 25_000n);
    expect(figures(priced)).toEqual([
      ['tier', 1000n, '0', 0n],
      ['tier', 9000n, '0.001', 900n],
      ['tier', 15_000n, '0.0005', 750n],
    ]);
    expect(priced.lines.map((line) => line.description)).toEqual([
      'Requests 1–1,000 (tier 1): 1,000 × $0.00',
      'Requests 1,001–10,000 (tier 2): 9,000 × $0.001',
      'Requests 10,001–∞ (tier 3): 15,000 × $0.0005',
    ]);
    expect(priced.totalMinor).toBe(1650n);
  });

  it('lists only the tiers the usage reached, and the first one when there was none', () => {
    expect(figures(price(TIERS, 1000n))).toEqual([['tier', 1000n, '0', 0n]]);
    expect(figures(price(TIERS, 1001n))).toEqual([
      ['tier', 1000n, '0', 0n],
      ['tier', 1n, '0.001', 0n],
    ]);
    expect(figures(price(TIERS, 0n))).toEqual([['tier', 0n, '0', 0n]]);
  });

  it('charges a tier’s flat fee once the usage reaches that tier', () => {
    const withFees: PlanPricingInput = {
      model: 'graduated',
      tiers: [
        { upTo: 100, unitPrice: '0', flatFee: '10' },
        { upTo: null, unitPrice: '0.01', flatFee: '5' },
      ],
    };
    expect(figures(price(withFees, 0n))).toEqual([['tier', 0n, '0', 0n]]);
    expect(figures(price(withFees, 100n))).toEqual([['tier', 100n, '0', 1000n]]);
    const over = price(withFees, 150n);
    expect(figures(over)).toEqual([
      ['tier', 100n, '0', 1000n],
      ['tier', 50n, '0.01', 550n],
    ]);
    expect(over.lines[1]?.description).toBe('Requests 101–∞ (tier 2): 50 × $0.01 + $5.00 tier fee');
  });
});

describe('priceSubscriptionPeriod: quota modes', () => {
  const included = (quotaMode: 'hard_cap' | 'bill_overage'): PlanPricingInput => ({
    model: 'included_overage',
    flatFee: '20',
    includedUnits: 10_000,
    overageUnitPrice: '0.002',
    quotaMode,
  });

  it('hard_cap bills nothing beyond the included requests', () => {
    const priced = price(included('hard_cap'), 12_000n);
    expect(figures(priced)).toEqual([
      ['flat_fee', 1n, '20', 2000n],
      ['usage', 10_000n, '0', 0n],
    ]);
    expect(priced.lines[1]?.description).toBe('Included requests: 10,000 of 10,000');
  });

  it('bill_overage bills the requests beyond the included ones at the overage price', () => {
    expect(figures(price(included('bill_overage'), 12_000n))).toEqual([
      ['flat_fee', 1n, '20', 2000n],
      ['usage', 10_000n, '0', 0n],
      ['overage', 2000n, '0.002', 400n],
    ]);
    expect(figures(price(included('bill_overage'), 7n))).toEqual([
      ['flat_fee', 1n, '20', 2000n],
      ['usage', 7n, '0', 0n],
      ['overage', 0n, '0.002', 0n],
    ]);
  });

  it('hard_cap never bills past the monthly quota, bill_overage bills every admitted request', () => {
    const perUnit = (quotaMode: 'hard_cap' | 'bill_overage'): PlanPricingInput => ({
      model: 'per_unit',
      unitPrice: '0.01',
      quotaMode,
    });
    expect(figures(price(perUnit('hard_cap'), 1010n, { monthlyQuota: 1000 }))).toEqual([
      ['usage', 1000n, '0.01', 1000n],
    ]);
    expect(figures(price(perUnit('bill_overage'), 1010n, { monthlyQuota: 1000 }))).toEqual([
      ['usage', 1010n, '0.01', 1010n],
    ]);
    expect(figures(price(perUnit('hard_cap'), 1010n, { monthlyQuota: null }))).toEqual([
      ['usage', 1010n, '0.01', 1010n],
    ]);
    expect(price(TIERS, 25_000n, { monthlyQuota: 10_000n }).totalMinor).toBe(900n);
  });
});

describe('priceSubscriptionPeriod: rounding and currencies', () => {
  it('rounds each line once, half up, and totals the rounded lines exactly', () => {
    const halfCent: PlanPricingInput = {
      model: 'per_unit',
      unitPrice: '0.00025',
      tokenPrices: { inputPerMillion: '5000', outputPerMillion: '5000' },
    };
    // 20 × 0.00025 = 0.005 → 1 cent; 19 × 0.00025 = 0.00475 → 0 cents; 1 token × 0.005 → 1 cent each.
    expect(price(halfCent, 20n).lines[0]?.amountMinor).toBe(1n);
    expect(price(halfCent, 19n).lines[0]?.amountMinor).toBe(0n);
    const priced = price(halfCent, 20n, { usage: { billableRequests: 20n, tokensIn: 1n, tokensOut: 1n } });
    expect(figures(priced)).toEqual([
      ['usage', 20n, '0.00025', 1n],
      ['tokens_in', 1n, '0.005', 1n],
      ['tokens_out', 1n, '0.005', 1n],
    ]);
    // Not round(0.015) = 2: the invoice is the sum of what each line says.
    expect(priced.totalMinor).toBe(3n);
  });

  it('prices yen with no minor unit', () => {
    const priced = price({ model: 'per_unit', currency: 'jpy', unitPrice: '0.5', flatFee: '1000' }, 3n);
    expect(figures(priced)).toEqual([
      ['flat_fee', 1n, '1000', 1000n],
      ['usage', 3n, '0.5', 2n], // ¥1.5 → ¥2
    ]);
    expect(priced.lines[1]?.description).toBe('Requests: 3 × ¥0.5');
    expect(priced).toMatchObject({ currency: 'jpy', totalMinor: 1002n });
  });

  it('prices dinar in fils (3 decimals)', () => {
    const priced = price({ model: 'per_unit', currency: 'kwd', unitPrice: '0.0005' }, 2469n);
    expect(figures(priced)).toEqual([['usage', 2469n, '0.0005', 1235n]]); // KWD 1.2345 → 1.235
  });

  it('stays exact for quantities beyond 2^53', () => {
    const huge = 2n ** 63n - 1n;
    expect(price({ model: 'per_unit', unitPrice: '0.00025' }, huge).totalMinor).toBe(230584300921369395n);
    // (2^53 + 1) × $0.005 = $45,035,996,273,704.965 → the tie rounds up.
    expect(price({ model: 'per_unit', unitPrice: '0.005' }, 2n ** 53n + 1n).totalMinor).toBe(
      4503599627370497n,
    );
  });

  it('prices tokens per million', () => {
    const ai: PlanPricingInput = {
      model: 'flat',
      flatFee: '10',
      tokenPrices: { inputPerMillion: '3', outputPerMillion: '15' },
    };
    const priced = price(ai, 5n, {
      usage: { billableRequests: 5n, tokensIn: 1_234_567n, tokensOut: 1_000_001n },
    });
    expect(figures(priced)).toEqual([
      ['flat_fee', 1n, '10', 1000n],
      ['usage', 5n, '0', 0n],
      ['tokens_in', 1_234_567n, '0.000003', 370n], // $3.703701
      ['tokens_out', 1_000_001n, '0.000015', 1500n], // $15.000015
    ]);
    expect(priced.lines[2]?.description).toBe('Input tokens: 1,234,567 × $3.00 per million');
    expect(priced.totalMinor).toBe(2870n);
    // Without token counts the lines still show the meter at zero.
    expect(figures(price(ai, 5n)).slice(2)).toEqual([
      ['tokens_in', 0n, '0.000003', 0n],
      ['tokens_out', 0n, '0.000015', 0n],
    ]);
  });

  it('refuses negative usage and empty periods', () => {
    expect(() => price({ model: 'free' }, -1n)).toThrow(/must not be negative/);
    expect(() => price({ model: 'free' }, 1n, { period: { start: JAN.end, end: JAN.start } })).toThrow(
      RangeError,
    );
  });
});

describe('priceSubscriptionPeriod: trials', () => {
  const paid: PlanPricingInput = { model: 'per_unit', unitPrice: '0.01', flatFee: '49', trialDays: 14 };
  const createdAt = new Date('2026-01-01T00:00:00.000Z');

  it('credits the whole subtotal of a period that starts inside the trial', () => {
    const priced = price(paid, 500n, { subscriptionCreatedAt: createdAt });
    expect(figures(priced)).toEqual([
      ['flat_fee', 1n, '49', 4900n],
      ['usage', 500n, '0.01', 500n],
      ['trial_credit', 1n, '-54', -5400n],
    ]);
    expect(priced.lines[2]?.description).toBe('Free trial (until 2026-01-15)');
    expect(priced).toMatchObject({ subtotalMinor: 5400n, totalMinor: 0n, trial: true });
    expect(sumOfLines(priced)).toBe(priced.totalMinor);
  });

  it('decides by the period start: one millisecond before the trial end is free, the end itself is billed', () => {
    const trialEnd = trialEndsAt(ZPlanPricing.parse(paid), createdAt)!;
    expect(trialEnd.toISOString()).toBe('2026-01-15T00:00:00.000Z');
    const startingAt = (start: Date) =>
      price(paid, 500n, {
        subscriptionCreatedAt: createdAt,
        period: { start, end: new Date(start.getTime() + 30 * 86_400_000) },
      });
    expect(startingAt(new Date(trialEnd.getTime() - 1))).toMatchObject({ trial: true, totalMinor: 0n });
    expect(startingAt(trialEnd)).toMatchObject({ trial: false, totalMinor: 5400n });
  });

  it('adds no credit line when there is nothing to credit, and no trial without trial days', () => {
    expect(
      figures(price({ model: 'free', trialDays: 30 }, 5n, { subscriptionCreatedAt: createdAt })),
    ).toEqual([['usage', 5n, '0', 0n]]);
    const noTrial = price({ ...paid, trialDays: 0 }, 500n, { subscriptionCreatedAt: createdAt });
    expect(noTrial).toMatchObject({ trial: false, totalMinor: 5400n });
  });
});

describe('projectPeriodCharge', () => {
  const perUnit = ZPlanPricing.parse({ model: 'per_unit', unitPrice: '0.001' });
  const project = (
    usedSoFar: bigint,
    now: string,
    extra: Partial<Parameters<typeof projectPeriodCharge>[0]> = {},
  ) =>
    projectPeriodCharge({
      pricing: perUnit,
      planName: 'Pro',
      subscriptionCreatedAt: LONG_AGO,
      periodStart: new Date('2026-04-01T00:00:00.000Z'),
      periodEnd: new Date('2026-05-01T00:00:00.000Z'), // 30 days
      now: new Date(now),
      usedSoFar,
      ...extra,
    });

  it('extrapolates the rate so far linearly to the whole period', () => {
    const projected = project(1000n, '2026-04-11T00:00:00.000Z'); // a third of the way
    expect(projected.projectedUsage).toEqual({
      billableRequests: 3000n,
      tokensIn: 0n,
      tokensOut: 0n,
      toolCalls: {},
    });
    expect(figures(projected)).toEqual([['usage', 3000n, '0.001', 300n]]);
  });

  it('rounds the projected count half up on bigints', () => {
    // 20 days of 30 elapsed: 5 × 3/2 = 7.5 → 8, 7 × 3/2 = 10.5 → 11, 1 × 3/2 = 1.5 → 2.
    expect(project(5n, '2026-04-21T00:00:00.000Z').projectedUsage.billableRequests).toBe(8n);
    expect(project(7n, '2026-04-21T00:00:00.000Z').projectedUsage.billableRequests).toBe(11n);
    expect(extrapolateUsage(1n, 2n, 3n)).toBe(2n);
    expect(extrapolateUsage(2n ** 62n, 1n, 4n)).toBe(2n ** 64n);
  });

  it('returns the usage as is before the period starts and after it ends', () => {
    expect(project(10n, '2026-03-31T00:00:00.000Z').projectedUsage.billableRequests).toBe(10n);
    expect(project(10n, '2026-04-01T00:00:00.000Z').projectedUsage.billableRequests).toBe(10n);
    expect(project(10n, '2026-05-02T00:00:00.000Z').projectedUsage.billableRequests).toBe(10n);
  });

  it('extrapolates tokens too and respects the hard cap in the lines', () => {
    const projected = project(600n, '2026-04-16T00:00:00.000Z', {
      tokensInSoFar: 50n,
      tokensOutSoFar: 1n,
      monthlyQuota: 1000,
    });
    expect(projected.projectedUsage).toEqual({
      billableRequests: 1200n,
      tokensIn: 100n,
      tokensOut: 2n,
      toolCalls: {},
    });
    expect(figures(projected)).toEqual([['usage', 1000n, '0.001', 100n]]);
  });
});

describe('tool prices', () => {
  const TOOLS = { search: '0.02', create_order: '0.1' };
  const toolCalls = { search: 30n, create_order: 5n, unpriced: 10n };

  it('bills a priced tool’s calls at its price instead of the request price', () => {
    const priced = price({ model: 'per_unit', unitPrice: '0.01', toolPrices: TOOLS }, 150n, {
      usage: { billableRequests: 150n, toolCalls },
    });
    // 150 − 35 priced calls = 115 requests (the unpriced tool's calls stay requests).
    expect(figures(priced)).toEqual([
      ['usage', 115n, '0.01', 115n],
      ['tool_calls', 5n, '0.1', 50n],
      ['tool_calls', 30n, '0.02', 60n],
    ]);
    expect(priced.lines[1]?.description).toBe('Tool calls: create_order (5 × $0.10)');
    expect(priced.totalMinor).toBe(225n);
  });

  it('takes priced calls out of the included units and tiers, after the hard cap', () => {
    const included = price(
      {
        model: 'included_overage',
        includedUnits: 100,
        quotaMode: 'bill_overage',
        overageUnitPrice: '0.01',
        toolPrices: TOOLS,
      },
      150n,
      { usage: { billableRequests: 150n, toolCalls } },
    );
    expect(figures(included).slice(0, 2)).toEqual([
      ['usage', 100n, '0', 0n],
      ['overage', 15n, '0.01', 15n],
    ]);
    const capped = price({ model: 'per_unit', unitPrice: '0.01', toolPrices: TOOLS }, 150n, {
      usage: { billableRequests: 150n, toolCalls },
      monthlyQuota: 40,
    });
    // The quota caps the 150 at 40; the 35 priced calls leave 5 for the request line.
    expect(figures(capped)[0]).toEqual(['usage', 5n, '0.01', 5n]);
  });

  it('never bills requests below zero, and skips tools without calls or without a price', () => {
    const priced = price({ model: 'flat', flatFee: '10', toolPrices: { ...TOOLS, idle: '5' } }, 20n, {
      usage: { billableRequests: 20n, toolCalls: { search: 30n, idle: 0n } },
    });
    expect(figures(priced)).toEqual([
      ['flat_fee', 1n, '10', 1000n],
      ['usage', 0n, '0', 0n],
      ['tool_calls', 30n, '0.02', 60n],
    ]);
  });

  it('extrapolates each tool’s calls in a projection', () => {
    const projected = projectPeriodCharge({
      pricing: ZPlanPricing.parse({ model: 'per_unit', unitPrice: '0.01', toolPrices: TOOLS }),
      planName: 'Pro',
      periodStart: new Date('2026-01-01T00:00:00.000Z'),
      periodEnd: new Date('2026-01-03T00:00:00.000Z'),
      now: new Date('2026-01-02T00:00:00.000Z'),
      subscriptionCreatedAt: LONG_AGO,
      usedSoFar: 50n,
      toolCallsSoFar: { search: 10n },
    });
    expect(projected.projectedUsage.toolCalls).toEqual({ search: 20n });
    expect(figures(projected)).toEqual([
      ['usage', 80n, '0.01', 80n],
      ['tool_calls', 20n, '0.02', 40n],
    ]);
  });
});
