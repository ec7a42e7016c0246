import { type PlanPricingInput, ZPlanPricing } from '@portcullis/core/billing/pricing';
import { describe, expect, it } from 'vitest';
import { describePricing, toDraft, toInput } from './pricing-draft';

const roundTrip = (input: PlanPricingInput) => {
  const pricing = ZPlanPricing.parse(input);
  return { pricing, again: ZPlanPricing.parse(toInput(toDraft(pricing))) };
};

describe('pricing draft', () => {
  it.each<PlanPricingInput>([
    {},
    { model: 'flat', flatFee: '49.00', currency: 'eur', trialDays: 14 },
    { model: 'per_unit', unitPrice: '0.00025', billable: 'success_only' },
    {
      model: 'graduated',
      flatFee: '5',
      tiers: [
        { upTo: 1000, unitPrice: '0.01', flatFee: '1.50' },
        { upTo: null, unitPrice: '0.005' },
      ],
    },
    {
      model: 'included_overage',
      flatFee: '9.90',
      includedUnits: 10_000,
      overageUnitPrice: '0.002',
      quotaMode: 'bill_overage',
      tokenPrices: { inputPerMillion: '0.15', outputPerMillion: '0.6' },
    },
  ])('round-trips %j through the form unchanged', (input) => {
    const { pricing, again } = roundTrip(input);
    expect(again).toEqual(pricing);
  });

  it('sends empty fields as missing, so the server names what a model needs', () => {
    const draft = { ...toDraft(ZPlanPricing.parse({})), model: 'per_unit' as const };
    const result = ZPlanPricing.safeParse(toInput(draft));
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['unitPrice']);
  });

  it('describes a pricing in one line', () => {
    expect(describePricing(ZPlanPricing.parse({}))).toBe('Free');
    expect(
      describePricing(ZPlanPricing.parse({ model: 'per_unit', unitPrice: '0.002', flatFee: '2.00' })),
    ).toBe('$2.00 / period + $0.002 per request');
    expect(
      describePricing(
        ZPlanPricing.parse({
          model: 'included_overage',
          flatFee: '9.9',
          includedUnits: 10_000,
          overageUnitPrice: '0.002',
          quotaMode: 'bill_overage',
          currency: 'eur',
          trialDays: 7,
        }),
      ),
    ).toBe('€9.90 / period incl. 10,000 requests + €0.002 per extra request + 7-day trial');
  });
});
