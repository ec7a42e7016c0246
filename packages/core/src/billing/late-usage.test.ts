import { describe, expect, it } from 'vitest';
import { priceSubscriptionPeriod } from './invoice.ts';
import { type LateUsageInput, priceLateUsage } from './late-usage.ts';
import { type PlanPricingInput, ZPlanPricing } from './pricing.ts';

const JAN = { start: new Date('2026-01-15T10:30:00.000Z'), end: new Date('2026-02-15T10:30:00.000Z') };
const LONG_AGO = new Date('2025-01-01T00:00:00.000Z');

const GRADUATED: PlanPricingInput = {
  model: 'graduated',
  flatFee: '20.00',
  tiers: [
    { upTo: 1000, unitPrice: '0' },
    { upTo: 10_000, unitPrice: '0.001', flatFee: '5.00' },
    { upTo: null, unitPrice: '0.0005' },
  ],
};

const base = (pricing: PlanPricingInput, extra: Partial<LateUsageInput> = {}) => ({
  pricing: ZPlanPricing.parse(pricing),
  planName: 'Pro',
  period: JAN,
  subscriptionCreatedAt: LONG_AGO,
  ...extra,
});

const total = (pricing: PlanPricingInput, billableRequests: bigint, extra: Partial<LateUsageInput> = {}) =>
  priceSubscriptionPeriod({ ...base(pricing, extra), usage: { billableRequests } }).totalMinor;

const late = (
  pricing: PlanPricingInput,
  billed: bigint,
  actual: bigint,
  extra: Partial<LateUsageInput> = {},
) =>
  priceLateUsage({
    ...base(pricing, extra),
    billed: { billableRequests: billed },
    actual: { billableRequests: actual },
    ...extra,
  });

describe('priceLateUsage', () => {
  it('prices late requests at the graduated tier they really fall in, tier fee included', () => {
    // Invoiced at 900 (inside the free tier); 1,200 arrived in all: 200 reach tier 2, which brings its fee.
    const charge = late(GRADUATED, 900n, 1_200n, { invoiceNumber: 'INV-000007' });
    expect(charge.amountMinor).toBe(500n + 20n); // $5.00 tier fee + 200 × $0.001
    expect(charge.line).toEqual({
      kind: 'late_usage',
      description:
        'Usage from 2026-01-15 to 2026-02-15 received after it was invoiced (INV-000007): +300 requests',
      quantity: 1n,
      unitPrice: '5.2',
      amountMinor: 520n,
    });
    // Crossing into tier 3: 100 at $0.001 and 300 at $0.0005, no second tier fee.
    expect(late(GRADUATED, 9_900n, 10_300n).amountMinor).toBe(10n + 15n);
  });

  it('invoice plus every adjustment adds up to exactly the price of the final usage', () => {
    const steps = [900n, 1_001n, 1_002n, 9_999n, 10_000n, 10_001n, 10_003n, 250_777n];
    let billed = steps[0] as bigint;
    let charged = total(GRADUATED, billed);
    for (const actual of steps.slice(1)) {
      charged += late(GRADUATED, billed, actual).amountMinor;
      billed = actual;
    }
    expect(charged).toBe(total(GRADUATED, 250_777n));
  });

  it('charges the difference of the rounded invoices, not the late requests priced alone', () => {
    // $0.004 per request: 1 request is $0.004 → $0.00, 2 are $0.008 → $0.01. Pricing the one late
    // request alone would charge $0.00 and lose the cent the period really costs.
    const perUnit: PlanPricingInput = { model: 'per_unit', unitPrice: '0.004' };
    expect(total(perUnit, 1n)).toBe(0n);
    expect(late(perUnit, 1n, 2n).amountMinor).toBe(1n);
    expect(total(perUnit, 1n) + late(perUnit, 1n, 2n).amountMinor).toBe(total(perUnit, 2n));
  });

  it('charges nothing beyond a hard cap, inside included units or in a trial period', () => {
    const capped: PlanPricingInput = { model: 'per_unit', unitPrice: '0.01', quotaMode: 'hard_cap' };
    expect(late(capped, 1_000n, 1_500n, { monthlyQuota: 1_000 }).amountMinor).toBe(0n);
    expect(late(capped, 900n, 1_500n, { monthlyQuota: 1_000 }).amountMinor).toBe(100n);
    const included: PlanPricingInput = {
      model: 'included_overage',
      includedUnits: 1_000,
      overageUnitPrice: '0.002',
      quotaMode: 'bill_overage',
    };
    expect(late(included, 500n, 999n).amountMinor).toBe(0n);
    expect(late(included, 999n, 1_500n).amountMinor).toBe(100n);
    const trial: PlanPricingInput = { model: 'per_unit', unitPrice: '0.01', trialDays: 60 };
    expect(late(trial, 10n, 5_000n, { subscriptionCreatedAt: JAN.start }).amountMinor).toBe(0n);
  });

  it('adds late tokens at the plan’s token prices', () => {
    const charge = priceLateUsage({
      ...base({
        model: 'per_unit',
        unitPrice: '0',
        tokenPrices: { inputPerMillion: '3', outputPerMillion: '15' },
      }),
      billed: { billableRequests: 10n, tokensIn: 1_000_000n, tokensOut: 0n },
      actual: { billableRequests: 12n, tokensIn: 1_500_000n, tokensOut: 100_000n },
    });
    expect(charge.amountMinor).toBe(150n + 150n);
    expect(charge.added).toEqual({
      billableRequests: 2n,
      tokensIn: 500_000n,
      tokensOut: 100_000n,
      toolCalls: {},
    });
    expect(charge.line.description).toMatch(
      /: \+2 requests, \+500,000 input tokens, \+100,000 output tokens$/,
    );
  });

  it('refuses usage that went down: that is a correction for a person, not late usage', () => {
    expect(() => late(GRADUATED, 1_200n, 1_100n)).toThrow(RangeError);
  });
});
