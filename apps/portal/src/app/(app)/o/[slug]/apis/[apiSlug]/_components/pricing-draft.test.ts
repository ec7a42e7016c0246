import { type PlanPricingInput, ZPlanPricing } from '@portcullis/core/billing/pricing';
import { describe, expect, it } from 'vitest';
import { parseDraft } from '../../../../../../../components/forms/draft-text';
import { describePricing, pricingErrorField, toDraft, ZPricingForm } from './pricing-draft';

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
    { model: 'per_unit', unitPrice: '0.001', toolPrices: { search: '0.02', 'orders.create': '0.1' } },
  ])('round-trips %j through the form unchanged', (input) => {
    const pricing = ZPlanPricing.parse(input);
    expect(parseDraft(ZPricingForm, toDraft(pricing))).toEqual({ ok: true, input: pricing });
  });

  it('leaves empty fields out, so the schema names what a model needs', () => {
    const draft = { ...toDraft(ZPlanPricing.parse({})), model: 'per_unit' as const };
    expect(parseDraft(ZPricingForm, draft)).toEqual({
      ok: false,
      errors: { unitPrice: 'Enter the price per request' },
    });
  });

  it('gives invalid numbers field errors, not NaN', () => {
    const draft = { ...toDraft(ZPlanPricing.parse({})), model: 'included_overage' as const };
    draft.includedUnits = 'ten';
    draft.trialDays = '7 days';
    expect(parseDraft(ZPricingForm, draft)).toEqual({
      ok: false,
      errors: { includedUnits: 'Enter a number', trialDays: 'Enter a number' },
    });
  });

  it('sends token prices only with the box checked on a paid model', () => {
    const draft = toDraft(ZPlanPricing.parse({ model: 'flat', flatFee: '5' }));
    draft.tokenPrices = { inputPerMillion: '1', outputPerMillion: '2' };
    const unchecked = parseDraft(ZPricingForm, draft);
    expect(unchecked.ok && unchecked.input.tokenPrices).toBeUndefined();
    const checked = parseDraft(ZPricingForm, { ...draft, tokens: true });
    expect(checked.ok && checked.input.tokenPrices).toEqual({ inputPerMillion: '1', outputPerMillion: '2' });
    const free = parseDraft(ZPricingForm, { ...draft, tokens: true, model: 'free', flatFee: '' });
    expect(free.ok && free.input.tokenPrices).toBeUndefined();
  });

  it("maps the server's paths to the form's", () => {
    expect(pricingErrorField('pricing.tiers.0.upTo')).toBe('tiers.0.upTo');
    expect(pricingErrorField('pricing.tokenPrices.inputPerMillion')).toBe('tokenPrices.inputPerMillion');
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

  it('edits tool prices as rows: a bad or repeated name is an error on its row', () => {
    const draft = { ...toDraft(ZPlanPricing.parse({ model: 'per_unit', unitPrice: '0.001' })) };
    const rows = [
      { tool: 'search', price: '0.02' },
      { tool: 'not ok', price: '1' },
      { tool: 'search', price: '-1' },
    ];
    const parsed = parseDraft(ZPricingForm, { ...draft, toolPrices: rows });
    expect(parsed).toMatchObject({
      ok: false,
      errors: { 'toolPrices.1.tool': expect.any(String), 'toolPrices.2.price': 'Must not be negative' },
    });
    // A free plan keeps the rows in the draft but sends none.
    const free = parseDraft(ZPricingForm, { ...draft, model: 'free', unitPrice: '', toolPrices: [rows[0]] });
    expect(free).toMatchObject({ ok: true, input: { model: 'free' } });
    expect(free.ok && free.input.toolPrices).toBeUndefined();
    expect(pricingErrorField('pricing.toolPrices.search', { toolPrices: rows })).toBe('toolPrices.0.price');
    expect(pricingErrorField('pricing.toolPrices', { toolPrices: rows })).toBe('toolPrices');
  });
});
