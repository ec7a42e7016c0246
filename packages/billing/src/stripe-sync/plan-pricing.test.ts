import { type PlanPricingInput, ZPlanPricing } from '@portcullis/core/billing/pricing';
import { describe, expect, it } from 'vitest';
import { planPricingHash } from '../stripe/catalog.ts';
import {
  minorUnitDecimal,
  planCatalogMapping,
  planMeterEventName,
  toolMeterEventName,
} from './plan-pricing.ts';

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

  it('tool prices: a metered price per tool on a meter of its own, in the hash, nothing left unsynced', () => {
    const priced = map({
      model: 'per_unit',
      unitPrice: '0.001',
      toolPrices: { search: '0.02', create_order: '0.1' },
    });
    expect(priced).toMatchObject({
      kind: 'catalog',
      notSynced: [],
      input: {
        usage: { meterEventName, unitAmountDecimal: '0.1' },
        tools: [
          {
            tool: 'create_order',
            meterEventName: 'portcullis.tools.plan_1.create_order',
            unitAmountDecimal: '10',
          },
          { tool: 'search', meterEventName: 'portcullis.tools.plan_1.search', unitAmountDecimal: '2' },
        ],
      },
    });
    const cheaper = map({
      model: 'per_unit',
      unitPrice: '0.001',
      toolPrices: { search: '0.01', create_order: '0.1' },
    });
    const none = map({ model: 'per_unit', unitPrice: '0.001' });
    if (priced.kind !== 'catalog' || cheaper.kind !== 'catalog' || none.kind !== 'catalog')
      throw new Error('expected catalogs');
    expect(planPricingHash(priced.input)).not.toBe(planPricingHash(cheaper.input));
    expect(planPricingHash(priced.input)).not.toBe(planPricingHash(none.input));
    expect(none.input).not.toHaveProperty('tools');
  });

  it('tool prices alone make a plan worth syncing (hard cap, no fee)', () => {
    const mapping = map({
      model: 'included_overage',
      flatFee: '0',
      includedUnits: 100,
      quotaMode: 'hard_cap',
      toolPrices: { search: '0.5' },
    });
    expect(mapping).toMatchObject({
      kind: 'catalog',
      input: { flatFeeMinor: 0n, tools: [{ tool: 'search' }] },
    });
    if (mapping.kind === 'catalog') expect(mapping.input.usage).toBeUndefined();
  });

  it("names a long tool's meter by a hash, within Stripe's 100 characters, stable per plan and tool", () => {
    const long = 'a'.repeat(128);
    const name = toolMeterEventName('plan_1', long);
    expect(name.length).toBeLessThanOrEqual(100);
    expect(name).toMatch(/^portcullis\.tools\.plan_1\.[0-9a-f]{40}$/);
    expect(toolMeterEventName('plan_1', long)).toBe(name);
    expect(toolMeterEventName('plan_1', `${long.slice(1)}b`)).not.toBe(name);
    expect(toolMeterEventName('plan_2', long)).not.toBe(name);
  });
});
