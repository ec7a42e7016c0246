import { describe, expect, it } from 'vitest';
import {
  blocksAtQuota,
  DEFAULT_PLAN_PRICING,
  isBillableStatus,
  type PlanPricingInput,
  pricingFromLegacyPlan,
  ZPlanPricing,
} from './pricing.ts';

/** Every issue as "path: message", so a test pins both where and what. */
function issues(input: unknown): string[] {
  const result = ZPlanPricing.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}
const paths = (input: unknown) => issues(input).map((line) => line.split(':')[0]);

const graduated = (tiers: PlanPricingInput['tiers']): PlanPricingInput => ({ model: 'graduated', tiers });

describe('ZPlanPricing defaults', () => {
  it('parses {} to a free usd plan with every field defaulted', () => {
    expect(DEFAULT_PLAN_PRICING).toEqual({
      model: 'free',
      currency: 'usd',
      flatFee: '0',
      tiers: [],
      quotaMode: 'hard_cap',
      trialDays: 0,
      billable: 'below_500',
    });
  });

  it('survives a JSON round trip (it is stored in a Json column)', () => {
    const pricing = ZPlanPricing.parse({
      model: 'graduated',
      currency: 'EUR',
      flatFee: '9.90',
      tiers: [
        { upTo: 1000, unitPrice: '0' },
        { upTo: 10_000, unitPrice: '0.001', flatFee: '5' },
        { upTo: null, unitPrice: '0.0005' },
      ],
      tokenPrices: { inputPerMillion: '3', outputPerMillion: '15' },
    });
    expect(pricing.currency).toBe('eur');
    expect(pricing.tiers[0]?.flatFee).toBe('0');
    expect(ZPlanPricing.parse(JSON.parse(JSON.stringify(pricing)))).toEqual(pricing);
  });

  it('defaults a missing tier limit to unlimited', () => {
    const pricing = ZPlanPricing.parse(graduated([{ unitPrice: '0.01' }]));
    expect(pricing.tiers[0]?.upTo).toBeNull();
  });
});

describe('decimal string fields', () => {
  it.each([
    ['1e-3', 'unitPrice: Write the number out in full, like 0.001 (no exponent)'],
    ['-0.01', 'unitPrice: Must not be negative'],
    ['', 'unitPrice: Enter an amount'],
    ['1,5', 'unitPrice: Enter an amount like 49.00 or 0.00025'],
    ['.5', 'unitPrice: Enter an amount like 49.00 or 0.00025'],
    ['0.0000000000001', 'unitPrice: At most 12 digits after the decimal point'],
    ['1234567890123456789', 'unitPrice: The amount is too large'],
  ])('rejects unit price %j', (unitPrice, issue) => {
    expect(issues({ model: 'per_unit', unitPrice })).toEqual([issue]);
  });

  it('rejects a JSON number for a price (floats never become money)', () => {
    expect(paths({ model: 'per_unit', unitPrice: 0.001 })).toEqual(['unitPrice']);
  });

  it('trims surrounding spaces typed into a form', () => {
    expect(ZPlanPricing.parse({ model: 'per_unit', unitPrice: ' 0.00025 ' }).unitPrice).toBe('0.00025');
  });
});

describe('cross-field rules', () => {
  it('accepts a valid plan of every model', () => {
    expect(issues({ model: 'free' })).toEqual([]);
    expect(issues({ model: 'flat', flatFee: '49.00' })).toEqual([]);
    expect(issues({ model: 'per_unit', unitPrice: '0.00025', flatFee: '10' })).toEqual([]);
    expect(
      issues(
        graduated([
          { upTo: 10, unitPrice: '0' },
          { upTo: null, unitPrice: '1' },
        ]),
      ),
    ).toEqual([]);
    expect(issues({ model: 'included_overage', includedUnits: 0, flatFee: '5' })).toEqual([]);
    expect(
      issues({
        model: 'included_overage',
        includedUnits: 10_000,
        overageUnitPrice: '0.002',
        quotaMode: 'bill_overage',
      }),
    ).toEqual([]);
  });

  it('requires each model’s own fields at their paths', () => {
    expect(issues({ model: 'per_unit' })).toEqual(['unitPrice: Enter the price per request']);
    expect(issues({ model: 'flat' })).toEqual(['flatFee: Enter the fee per period (above 0)']);
    expect(issues({ model: 'flat', flatFee: '0.00' })).toEqual([
      'flatFee: Enter the fee per period (above 0)',
    ]);
    expect(issues({ model: 'graduated' })).toEqual(['tiers: Add at least one tier']);
    expect(issues({ model: 'included_overage', quotaMode: 'bill_overage' })).toEqual([
      'includedUnits: Enter how many requests are included',
      'overageUnitPrice: Enter the price per request beyond the included ones',
    ]);
  });

  it('keeps a free plan free', () => {
    expect(issues({ model: 'free', flatFee: '5' })).toEqual(['flatFee: A free plan has no fee']);
    expect(issues({ model: 'free', tokenPrices: { inputPerMillion: '1', outputPerMillion: '2' } })).toEqual([
      'tokenPrices: A free plan cannot charge for tokens',
    ]);
  });

  it('ignores fields of other models so a form can switch models', () => {
    expect(
      issues({ model: 'flat', flatFee: '5', unitPrice: '0.1', tiers: [{ upTo: 5, unitPrice: '1' }] }),
    ).toEqual([]);
  });

  it('points tier errors at the failing tier', () => {
    const tier = (upTo: number | null) => ({ upTo, unitPrice: '0.001' });
    expect(issues(graduated([tier(1000), tier(500), tier(null)]))).toEqual([
      "tiers.1.upTo: Must be more than the previous tier's limit (1000)",
    ]);
    expect(issues(graduated([tier(1000), tier(5000), tier(5000), tier(null)]))).toEqual([
      "tiers.2.upTo: Must be more than the previous tier's limit (5000)",
    ]);
    expect(issues(graduated([tier(null), tier(null)]))).toEqual([
      'tiers.0.upTo: Only the last tier can be unlimited',
    ]);
    expect(issues(graduated([tier(100), tier(200)]))).toEqual([
      'tiers.1.upTo: The last tier must be unlimited (leave the limit empty)',
    ]);
    expect(paths(graduated([tier(0), tier(null)]))).toEqual(['tiers.0.upTo']);
    expect(paths(graduated([tier(1.5), tier(null)]))).toEqual(['tiers.0.upTo']);
    expect(paths(graduated([tier(10), { upTo: null, unitPrice: '1e-3' }]))).toEqual(['tiers.1.unitPrice']);
    expect(paths(graduated(Array.from({ length: 21 }, (_, i) => tier(i === 20 ? null : i + 1))))).toEqual([
      'tiers',
    ]);
  });

  it('requires fees to fit the currency’s minor unit, while unit prices may go below it', () => {
    expect(issues({ model: 'flat', currency: 'jpy', flatFee: '500.5' })).toEqual([
      'flatFee: JPY has no minor unit: use a whole amount',
    ]);
    expect(issues({ model: 'flat', flatFee: '49.999' })).toEqual(['flatFee: At most 2 decimals for USD']);
    expect(issues({ model: 'flat', currency: 'kwd', flatFee: '4.999' })).toEqual([]);
    expect(
      issues(
        graduated([
          { upTo: 10, unitPrice: '0', flatFee: '0.001' },
          { upTo: null, unitPrice: '0.0001' },
        ]),
      ),
    ).toEqual(['tiers.0.flatFee: At most 2 decimals for USD']);
    expect(issues({ model: 'per_unit', currency: 'jpy', unitPrice: '0.05' })).toEqual([]);
  });

  it('validates currency, trial days, included units and the enums', () => {
    expect(paths({ currency: 'xyz' })).toEqual(['currency']);
    expect(ZPlanPricing.parse({ currency: ' GBP ' }).currency).toBe('gbp');
    expect(issues({ trialDays: 366 })).toEqual(['trialDays: Between 0 and 365 days']);
    expect(issues({ trialDays: -1 })).toEqual(['trialDays: Between 0 and 365 days']);
    expect(issues({ trialDays: 1.5 })).toEqual(['trialDays: Enter a whole number']);
    expect(issues({ model: 'included_overage', includedUnits: -1 })).toEqual([
      'includedUnits: Must be 0 or more',
    ]);
    expect(paths({ model: 'tiered' })).toEqual(['model']);
    expect(paths({ quotaMode: 'soft' })).toEqual(['quotaMode']);
    expect(paths({ billable: 'everything' })).toEqual(['billable']);
    expect(paths({ model: 'per_unit', unitPrice: '1', tokenPrices: { inputPerMillion: '3' } })).toEqual([
      'tokenPrices.outputPerMillion',
    ]);
  });
});

describe('isBillableStatus', () => {
  const statuses = [101, 200, 204, 301, 304, 400, 401, 404, 429, 499, 500, 502, 503, 504];
  const billed = (billable: 'below_500' | 'success_only' | 'all_admitted') =>
    statuses.filter((status) => isBillableStatus({ billable }, status));

  it('below_500 bills everything but server errors', () => {
    expect(billed('below_500')).toEqual([101, 200, 204, 301, 304, 400, 401, 404, 429, 499]);
  });

  it('success_only bills 2xx and 3xx', () => {
    expect(billed('success_only')).toEqual([200, 204, 301, 304]);
  });

  it('all_admitted bills every admitted request', () => {
    expect(billed('all_admitted')).toEqual(statuses);
  });
});

describe('helpers', () => {
  it('blocksAtQuota follows the quota mode', () => {
    expect(blocksAtQuota({ quotaMode: 'hard_cap' })).toBe(true);
    expect(blocksAtQuota({ quotaMode: 'bill_overage' })).toBe(false);
  });

  it('pricingFromLegacyPlan turns the old monthly price column into a flat or free plan', () => {
    expect(pricingFromLegacyPlan({ priceMonthlyMinor: 4900, currency: 'usd' })).toMatchObject({
      model: 'flat',
      flatFee: '49.00',
      currency: 'usd',
    });
    expect(pricingFromLegacyPlan({ priceMonthlyMinor: 500, currency: 'JPY' })).toMatchObject({
      model: 'flat',
      flatFee: '500',
      currency: 'jpy',
    });
    expect(pricingFromLegacyPlan({ priceMonthlyMinor: 0, currency: 'eur' })).toEqual({
      ...DEFAULT_PLAN_PRICING,
      currency: 'eur',
    });
  });
});

describe('ZPlanPricing tool prices', () => {
  const perUnit: PlanPricingInput = { model: 'per_unit', unitPrice: '0.001' };

  it('accepts a price per MCP tool, below the minor unit like other per-request prices', () => {
    const parsed = ZPlanPricing.parse({
      ...perUnit,
      toolPrices: { search: '0.0005', 'orders.create-v2': ' 1.5 ' },
    });
    expect(parsed.toolPrices).toEqual({ search: '0.0005', 'orders.create-v2': '1.5' });
  });

  it('rejects bad tool names and prices at the tool’s path', () => {
    expect(paths({ ...perUnit, toolPrices: { 'a b': '1' } })).toEqual(['toolPrices.a b']);
    expect(paths({ ...perUnit, toolPrices: { ['t'.repeat(129)]: '1' } })).toEqual([
      `toolPrices.${'t'.repeat(129)}`,
    ]);
    expect(issues({ ...perUnit, toolPrices: { search: '-1' } })).toEqual([
      'toolPrices.search: Must not be negative',
    ]);
    expect(paths({ ...perUnit, toolPrices: { search: 0.5 } })).toEqual(['toolPrices.search']);
  });

  it('caps the number of tool prices', () => {
    const many = Object.fromEntries(Array.from({ length: 501 }, (_, i) => [`tool_${i}`, '0.01']));
    expect(issues({ ...perUnit, toolPrices: many })).toEqual(['toolPrices: At most 500 tool prices']);
    delete many.tool_0;
    expect(issues({ ...perUnit, toolPrices: many })).toEqual([]);
  });

  it('keeps a free plan free of tool charges', () => {
    expect(issues({ model: 'free', toolPrices: { search: '0.01' } })).toEqual([
      'toolPrices: A free plan cannot charge for tool calls',
    ]);
    expect(issues({ model: 'free', toolPrices: {} })).toEqual([]);
  });
});
