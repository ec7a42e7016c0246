import { ZPlanPricing } from '@portcullis/core/billing/pricing';
import { describe, expect, it } from 'vitest';
import { pricingDetails, pricingHeadline } from './price-text';

const plan = (input: Record<string, unknown>) => ZPlanPricing.parse(input);

describe('pricing text', () => {
  it('describes free and flat plans', () => {
    expect(pricingHeadline(plan({}))).toBe('Free');
    expect(pricingDetails(plan({}))).toEqual(['No charge.']);
    const flat = plan({ model: 'flat', currency: 'eur', flatFee: '49.00' });
    expect(pricingHeadline(flat)).toBe('€49.00 / month');
    expect(pricingDetails(flat)).toEqual([
      '€49.00 per month, whatever the usage.',
      'Server errors (5xx) are not billed.',
    ]);
  });

  it('keeps sub-cent unit prices exact', () => {
    const perUnit = plan({ model: 'per_unit', unitPrice: '0.00025', flatFee: '2', billable: 'success_only' });
    expect(pricingHeadline(perUnit)).toBe('$0.00025 / request');
    expect(pricingDetails(perUnit)).toEqual([
      '$0.00025 per billable request.',
      'Plus $2.00 per month.',
      'Only successful (2xx/3xx) responses are billed.',
    ]);
  });

  it('lists graduated tiers with their ranges', () => {
    const graduated = plan({
      model: 'graduated',
      currency: 'jpy',
      billable: 'all_admitted',
      tiers: [
        { upTo: 1000, unitPrice: '2' },
        { upTo: 10000, unitPrice: '1', flatFee: '500' },
        { upTo: null, unitPrice: '0.5' },
      ],
    });
    expect(pricingHeadline(graduated)).toBe('from ¥0.5 / request');
    expect(pricingDetails(graduated)).toEqual([
      'Requests 1–1,000: ¥2 each.',
      'Requests 1,001–10,000: ¥1 each (plus ¥500 once this tier is reached).',
      'From request 10,001 on: ¥0.5 each.',
    ]);
  });

  it('explains allowances, overage, tokens and trials', () => {
    const included = plan({
      model: 'included_overage',
      flatFee: '10.00',
      includedUnits: 50000,
      quotaMode: 'bill_overage',
      overageUnitPrice: '0.001',
      trialDays: 14,
      tokenPrices: { inputPerMillion: '3', outputPerMillion: '15' },
    });
    expect(pricingDetails(included)).toEqual([
      '$10.00 per month, 50,000 requests included.',
      'Then $0.001 per extra request.',
      'Tokens: $3.00 per million in, $15.00 per million out.',
      'The first 14 days are free.',
      'Server errors (5xx) are not billed.',
    ]);
    const capped = plan({ model: 'included_overage', includedUnits: 100 });
    expect(pricingHeadline(capped)).toBe('Free allowance');
    expect(pricingDetails(capped)[1]).toBe('Requests beyond the allowance are refused.');
  });
});
