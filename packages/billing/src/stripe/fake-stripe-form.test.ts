import { describe, expect, it } from 'vitest';
import { decodeStripeForm, FormDecodeError } from '../../../../test/fakes/stripe/form.ts';

// The fake Stripe server's tests are only as good as its reading of stripe-node's form bodies.
describe('decodeStripeForm (fake Stripe)', () => {
  it('nests bracket paths and turns 0..n-1 indices into arrays', () => {
    const body =
      'product=prod_1&recurring[interval]=month&recurring[meter]=mtr_1' +
      '&tiers[0][up_to]=1000&tiers[0][unit_amount_decimal]=0&tiers[1][up_to]=inf&metadata[a%20b]=x%26y&expand[0]=tiers';
    expect(decodeStripeForm(body)).toEqual({
      product: 'prod_1',
      recurring: { interval: 'month', meter: 'mtr_1' },
      tiers: [{ up_to: '1000', unit_amount_decimal: '0' }, { up_to: 'inf' }],
      metadata: { 'a b': 'x&y' },
      expand: ['tiers'],
    });
  });

  it('reads percent-encoded brackets and empty-bracket appends', () => {
    expect(decodeStripeForm('items%5B0%5D%5Bprice%5D=price_1&expand[]=a&expand[]=b')).toEqual({
      items: [{ price: 'price_1' }],
      expand: ['a', 'b'],
    });
  });

  it('refuses repeated keys, value/hash clashes and gaps in indices', () => {
    expect(() => decodeStripeForm('a=1&a=2')).toThrow(FormDecodeError);
    expect(() => decodeStripeForm('a=1&a[b]=2')).toThrow(FormDecodeError);
    expect(() => decodeStripeForm('a[0]=1&a[2]=2')).toThrow(FormDecodeError);
    expect(() => decodeStripeForm('a]=1')).toThrow(FormDecodeError);
  });

  it('keeps __proto__ an ordinary key', () => {
    const decoded = decodeStripeForm('metadata[__proto__][polluted]=yes');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(decoded.metadata)).toEqual(['__proto__']);
  });
});
