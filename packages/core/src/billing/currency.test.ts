import { describe, expect, it } from 'vitest';
import {
  CURRENCY_CODES,
  currencyExponent,
  fitsMinorUnit,
  formatMoney,
  formatPrice,
  fromMinor,
  isSupportedCurrency,
  toMinor,
} from './currency.ts';
import { Decimal } from './decimal.ts';

const d = (text: string) => Decimal.parse(text, { allowNegative: true });

describe('currency table', () => {
  it('knows the minor-unit exponents', () => {
    expect(currencyExponent('usd')).toBe(2);
    expect(currencyExponent('eur')).toBe(2);
    expect(currencyExponent('jpy')).toBe(0);
    expect(currencyExponent('krw')).toBe(0);
    expect(currencyExponent('kwd')).toBe(3);
    expect(currencyExponent('bhd')).toBe(3);
    expect(CURRENCY_CODES).toContain('inr');
  });

  it('accepts lowercase ISO codes only and nothing from the prototype chain', () => {
    expect(isSupportedCurrency('usd')).toBe(true);
    expect(isSupportedCurrency('USD')).toBe(false);
    expect(isSupportedCurrency('xyz')).toBe(false);
    expect(isSupportedCurrency('toString')).toBe(false);
    expect(() => currencyExponent('xyz')).toThrow(/unsupported currency/);
  });
});

describe('toMinor / fromMinor', () => {
  it('rounds major amounts to minor units half up', () => {
    expect(toMinor(d('1234.56'), 'usd')).toBe(123456n);
    expect(toMinor(d('0.005'), 'usd')).toBe(1n);
    expect(toMinor(d('0.0049'), 'usd')).toBe(0n);
    expect(toMinor(d('-0.005'), 'usd')).toBe(-1n);
    expect(toMinor(d('1234.5'), 'jpy')).toBe(1235n);
    expect(toMinor(d('1234.49'), 'jpy')).toBe(1234n);
    expect(toMinor(d('1.2345'), 'kwd')).toBe(1235n);
    expect(toMinor(d('1.2344'), 'kwd')).toBe(1234n);
  });

  it('converts minor units back exactly', () => {
    expect(fromMinor(123456n, 'usd').toString()).toBe('1234.56');
    expect(fromMinor(1235n, 'jpy').toString()).toBe('1235');
    expect(fromMinor(1234567n, 'kwd').toString()).toBe('1234.567');
  });

  it('tells whether an amount is chargeable as is', () => {
    expect(fitsMinorUnit(d('49.99'), 'usd')).toBe(true);
    expect(fitsMinorUnit(d('49.999'), 'usd')).toBe(false);
    expect(fitsMinorUnit(d('500'), 'jpy')).toBe(true);
    expect(fitsMinorUnit(d('500.5'), 'jpy')).toBe(false);
    expect(fitsMinorUnit(d('1.234'), 'kwd')).toBe(true);
  });
});

describe('formatMoney', () => {
  it('formats minor units with the currency symbol and its digits', () => {
    expect(formatMoney(123456n, 'usd')).toBe('$1,234.56');
    expect(formatMoney(0n, 'usd')).toBe('$0.00');
    expect(formatMoney(5n, 'usd')).toBe('$0.05');
    expect(formatMoney(-250n, 'usd')).toBe('-$2.50');
    expect(formatMoney(1235n, 'jpy')).toBe('¥1,235');
    expect(formatMoney(1234567n, 'kwd')).toBe('KWD\u00a01,234.567');
    expect(formatMoney(123456n, 'eur', 'de-DE')).toBe('1.234,56\u00a0€');
  });

  it('keeps every digit of amounts beyond 2^53', () => {
    expect(formatMoney(2n ** 63n + 1n, 'usd')).toBe('$92,233,720,368,547,758.09');
    expect(formatMoney(123456789012345678901234567n, 'jpy')).toBe('¥123,456,789,012,345,678,901,234,567');
  });
});

describe('formatPrice', () => {
  it('shows sub-minor-unit prices in full and pads to the minor unit', () => {
    expect(formatPrice(d('0.00025'), 'usd')).toBe('$0.00025');
    expect(formatPrice(d('49'), 'usd')).toBe('$49.00');
    expect(formatPrice(d('0.5'), 'jpy')).toBe('¥0.5');
    expect(formatPrice(d('3'), 'jpy')).toBe('¥3');
  });
});
