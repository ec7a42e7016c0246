import { describe, expect, it } from 'vitest';
import {
  closeSummary,
  currenciesOf,
  noChargeText,
  serverPages,
  usagePermille,
  waitsForStripe,
} from './billing-view';

describe('billing view helpers', () => {
  it('counts server pages, never fewer than one', () => {
    expect(serverPages(0, 10)).toBe(1);
    expect(serverPages(10, 10)).toBe(1);
    expect(serverPages(11, 10)).toBe(2);
    expect(serverPages(5, 0)).toBe(1);
  });

  it('summarises a billing run', () => {
    expect(closeSummary({ invoicesCreated: 1, skipped: [] })).toBe('1 invoice created');
    expect(closeSummary({ invoicesCreated: 0, skipped: [] })).toBe('0 invoices created');
    expect(closeSummary({ invoicesCreated: 3, skipped: ['a', 'b'] })).toBe('3 invoices created, 2 skipped');
  });

  it('waits for Stripe only for subscriptions without a payment-method error', () => {
    expect(waitsForStripe(undefined)).toBe(false);
    expect(waitsForStripe([{ state: 'ACTIVE', paymentMethodError: null }])).toBe(false);
    expect(waitsForStripe([{ state: 'AWAITING_PAYMENT_METHOD', paymentMethodError: 'Declined.' }])).toBe(
      false,
    );
    expect(waitsForStripe([{ state: 'AWAITING_PAYMENT_METHOD', paymentMethodError: null }])).toBe(true);
  });

  it('measures quota use in exact thousandths', () => {
    expect(usagePermille(0n, 5)).toBe(0);
    expect(usagePermille(4n, 5)).toBe(800);
    expect(usagePermille(1n, 3)).toBe(333);
    expect(usagePermille(10n, 5)).toBe(1000);
    expect(usagePermille(0n, 0)).toBe(1000);
    expect(usagePermille(0n, 0.5)).toBe(1000);
    expect(usagePermille(9_007_199_254_740_993n, 9_007_199_254_740_992)).toBe(1000);
  });

  it('explains a missing upcoming charge', () => {
    expect(noChargeText('ACTIVE')).toBe('Pricing unavailable');
    expect(noChargeText('SUSPENDED')).toBe('Pricing unavailable');
    expect(noChargeText('AWAITING_APPROVAL')).toBe('None');
  });

  it('lists distinct currencies in order', () => {
    expect(currenciesOf([{ currency: 'usd' }, { currency: 'eur' }, { currency: 'usd' }])).toEqual([
      'eur',
      'usd',
    ]);
  });
});
