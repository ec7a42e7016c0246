import { type PlanPricingInput, ZPlanPricing } from '@portcullis/core/billing/pricing';
import { describe, expect, it } from 'vitest';
import { planPricingHash } from '../stripe/catalog.ts';
import { minorUnitDecimal, planCatalogMapping, planMeterEventName } from './plan-pricing.ts';

const map = (pricing: PlanPricingInput) =>
  planCatalogMapping({
    tenantOrgId: 'org_t',
    planId: 'plan_1',
    planName: 'Weather · Pro',
    pricing: ZPlanPricing.parse(pricing),
  });

const meterEventName = planMeterEventName('plan_1');

describe('minorUnitDecimal', () => {
  it('moves the decimal point by the currency exponent exactly', () => {
    expect(minorUnitDecimal('0.001', 'usd')).toBe('0.1');
    expect(minorUnitDecimal('49.00', 'eur')).toBe('4900');
    expect(minorUnitDecimal('0.000000000001', 'usd')).toBe('0.0000000001');
    expect(minorUnitDecimal('3', 'jpy')).toBe('3');
    expect(minorUnitDecimal('0.0005', 'kwd')).toBe('0.5');
  });
});

describe('planCatalogMapping', () => {
  it('skips plans that can never charge', () => {
    expect(map({ model: 'free' })).toEqual({ kind: 'skip', reason: 'free plan' });
    expect(map({ model: 'per_unit', unitPrice: '0' })).toEqual({ kind: 'skip', reason: 'nothing to charge' });
    expect(
      map({ model: 'included_overage', flatFee: '0', includedUnits: 100, quotaMode: 'hard_cap' }),
    ).toMatchObject({
      kind: 'skip',
    });
  });

  it('flat: a licensed fee only', () => {
    expect(map({ model: 'flat', currency: 'eur', flatFee: '49.90', trialDays: 14 })).toEqual({
      kind: 'catalog',
      input: {
        tenantOrgId: 'org_t',
        planId: 'plan_1',
        planName: 'Weather · Pro',
        currency: 'eur',
        interval: 'month',
        flatFeeMinor: 4990n,
      },
      trialDays: 14,
      notSynced: [],
    });
  });

  it('per_unit: the fee plus a metered unit price in minor units', () => {
    expect(map({ model: 'per_unit', flatFee: '5', unitPrice: '0.0025' })).toMatchObject({
      input: { flatFeeMinor: 500n, usage: { meterEventName, unitAmountDecimal: '0.25' } },
    });
  });

  it('graduated: tiers with their flat fees, the open last tier as inf', () => {
    const mapping = map({
      model: 'graduated',
      tiers: [
        { upTo: 1000, unitPrice: '0' },
        { upTo: 10000, unitPrice: '0.001', flatFee: '2.50' },
        { upTo: null, unitPrice: '0.0005' },
      ],
    });
    expect(mapping).toMatchObject({
      input: {
        flatFeeMinor: 0n,
        usage: {
          meterEventName,
          tiersMode: 'graduated',
          tiers: [
            { upTo: 1000n, unitAmountDecimal: '0' },
            { upTo: 10000n, unitAmountDecimal: '0.1', flatAmountMinor: 250n },
            { upTo: 'inf', unitAmountDecimal: '0.05' },
          ],
        },
      },
    });
    if (mapping.kind === 'catalog')
      expect(mapping.input.usage?.tiers?.[0]).not.toHaveProperty('flatAmountMinor');
  });

  it('included_overage: a free first tier for the included units when overage is billed, the fee alone when capped', () => {
    expect(
      map({
        model: 'included_overage',
        flatFee: '20',
        includedUnits: 5000,
        overageUnitPrice: '0.002',
        quotaMode: 'bill_overage',
      }),
    ).toMatchObject({
      input: {
        flatFeeMinor: 2000n,
        usage: {
          tiers: [
            { upTo: 5000n, unitAmountDecimal: '0' },
            { upTo: 'inf', unitAmountDecimal: '0.2' },
          ],
        },
      },
    });
    const capped = map({
      model: 'included_overage',
      flatFee: '20',
      includedUnits: 5000,
      quotaMode: 'hard_cap',
    });
    expect(capped).toMatchObject({ input: { flatFeeMinor: 2000n } });
    if (capped.kind === 'catalog') expect(capped.input.usage).toBeUndefined();
    expect(
      map({
        model: 'included_overage',
        flatFee: '0',
        includedUnits: 0,
        overageUnitPrice: '0.01',
        quotaMode: 'bill_overage',
      }),
    ).toMatchObject({ input: { usage: { unitAmountDecimal: '1' } } });
  });

  it('says what it does not send (token prices) and hashes only the pricing', () => {
    const withTokens = map({
      model: 'per_unit',
      unitPrice: '0.01',
      tokenPrices: { inputPerMillion: '1', outputPerMillion: '2' },
    });
    expect(withTokens).toMatchObject({ notSynced: ['token prices'] });
    const a = map({ model: 'per_unit', unitPrice: '0.010' });
    const b = map({ model: 'per_unit', unitPrice: '0.01' });
    const c = map({ model: 'per_unit', unitPrice: '0.02' });
    if (a.kind !== 'catalog' || b.kind !== 'catalog' || c.kind !== 'catalog')
      throw new Error('expected catalogs');
    expect(planPricingHash(a.input)).toBe(planPricingHash(b.input));
    expect(planPricingHash(a.input)).not.toBe(planPricingHash(c.input));
  });
});
