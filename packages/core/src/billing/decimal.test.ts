import { describe, expect, it } from 'vitest';
import { Decimal, DecimalParseError, divideRoundHalfUp, sumDecimals } from './decimal.ts';

const d = (text: string) => Decimal.parse(text, { allowNegative: true });

describe('Decimal.parse', () => {
  it('reads plain positional decimals into their canonical form', () => {
    expect(Decimal.parse('12').toString()).toBe('12');
    expect(Decimal.parse('0.0001').toString()).toBe('0.0001');
    expect(Decimal.parse('49.00').toString()).toBe('49');
    expect(Decimal.parse('0.000250').toString()).toBe('0.00025');
    expect(Decimal.parse('007.50').toString()).toBe('7.5');
    expect(Decimal.parse('0.000000000000').toString()).toBe('0');
    expect(Decimal.parse('0.000000000001').toString()).toBe('0.000000000001');
  });

  it.each([
    '1e-3',
    '1E3',
    '.5',
    '1.',
    '1,000',
    ' 1',
    '1 ',
    '',
    '+1',
    '0x10',
    'Infinity',
    'NaN',
    '1_000',
    '١٢',
  ])('rejects %j', (text) => {
    expect(() => Decimal.parse(text)).toThrow(DecimalParseError);
    expect(Decimal.tryParse(text)).toBeNull();
  });

  it('rejects negatives unless asked to allow them', () => {
    expect(() => Decimal.parse('-1')).toThrow(/must not be negative/);
    expect(Decimal.parse('-1.50', { allowNegative: true }).toString()).toBe('-1.5');
  });

  it('allows at most 12 fraction digits and 18 integer digits by default', () => {
    expect(() => Decimal.parse('0.0000000000001')).toThrow(/at most 12 digits after/);
    expect(Decimal.parse('123456789012345678').toString()).toBe('123456789012345678');
    expect(() => Decimal.parse('1234567890123456789')).toThrow(/at most 18 digits before/);
    // Leading zeros do not count towards the limit.
    expect(Decimal.parse('000000000000000000001').toString()).toBe('1');
    expect(() => Decimal.parse('1.5', { maxFractionDigits: 0 })).toThrow(/at most 0 digits after/);
  });
});

describe('Decimal arithmetic', () => {
  it('adds exactly where binary floats do not', () => {
    expect(d('0.1').add(d('0.2')).equals(d('0.3'))).toBe(true);
    expect(d('0.1').add(d('0.2')).toString()).toBe('0.3');
    expect(d('1.005').sub(d('2')).toString()).toBe('-0.995');
    expect(sumDecimals([d('0.00025'), d('0.00075'), d('49')]).toString()).toBe('49.001');
    expect(sumDecimals([]).toString()).toBe('0');
  });

  it('multiplies decimals and integer quantities exactly', () => {
    expect(d('1.5').mul(d('0.25')).toString()).toBe('0.375');
    expect(d('0.00025').mulInt(1_000_000n).toString()).toBe('250');
    expect(d('0.000000000001').mul(d('0.000000000001')).toString()).toBe('0.000000000000000000000001');
    expect(d('-2.5').mulInt(3n).toString()).toBe('-7.5');
    // Beyond 2^53, where a double would already have lost the last digit.
    const huge = 2n ** 63n - 1n;
    expect(d('0.00025').mulInt(huge).toString()).toBe('2305843009213693.95175');
  });

  it('shifts the decimal point for per-million prices', () => {
    expect(d('3').shiftLeft(6).toString()).toBe('0.000003');
    expect(d('0.15').shiftLeft(6).toString()).toBe('0.00000015');
  });

  it('compares across scales', () => {
    expect(d('1.10').compare(d('1.1'))).toBe(0);
    expect(d('1.09').compare(d('1.1'))).toBe(-1);
    expect(d('-0.5').compare(d('-0.6'))).toBe(1);
    expect(d('0').isZero()).toBe(true);
    expect(d('-0.01').isNegative()).toBe(true);
  });
});

describe('rounding (ROUND_HALF_UP, ties away from zero)', () => {
  it.each([
    ['0.005', 1n],
    ['0.00499999', 0n],
    ['0.015', 2n],
    ['0.025', 3n],
    ['1.994', 199n],
    ['1.995', 200n],
    ['-0.005', -1n],
    ['-0.0049', 0n],
    ['-1.995', -200n],
    ['7', 700n],
  ])('%s to cents is %s', (text, cents) => {
    expect(d(text).toScaledBigInt(2)).toBe(cents);
  });

  it('rounds to any scale, including whole units', () => {
    expect(d('1234.5').toScaledBigInt(0)).toBe(1235n);
    expect(d('1234.4999').toScaledBigInt(0)).toBe(1234n);
    expect(d('1.2345').toScaledBigInt(3)).toBe(1235n);
    expect(d('0.125').round(2).toString()).toBe('0.13');
    expect(d('-0.125').round(2).toString()).toBe('-0.13');
  });

  it('keeps a tie exact beyond 2^53', () => {
    // (2^53 + 1) × 0.005 = 45035996273704.965 → 4503599627370497 cents.
    expect(
      d('0.005')
        .mulInt(2n ** 53n + 1n)
        .toScaledBigInt(2),
    ).toBe(4503599627370497n);
  });
});

describe('formatting', () => {
  it('pads to a minimum number of fraction digits without losing any', () => {
    expect(d('49').toFixed(2)).toBe('49.00');
    expect(d('0.00025').toFixed(2)).toBe('0.00025');
    expect(d('-0.5').toFixed(3)).toBe('-0.500');
    expect(d('0').toFixed(0)).toBe('0');
    expect(JSON.stringify({ price: d('1.50') })).toBe('{"price":"1.5"}');
  });

  it('builds from a scaled integer', () => {
    expect(Decimal.fromScaled(123456n, 2).toString()).toBe('1234.56');
    expect(Decimal.fromScaled(-5n, 3).toString()).toBe('-0.005');
    expect(Decimal.fromBigInt(10n ** 30n).toString()).toBe(`1${'0'.repeat(30)}`);
  });
});

describe('divideRoundHalfUp', () => {
  it('rounds quotients half away from zero', () => {
    expect(divideRoundHalfUp(5n, 2n)).toBe(3n);
    expect(divideRoundHalfUp(7n, 3n)).toBe(2n);
    expect(divideRoundHalfUp(8n, 3n)).toBe(3n);
    expect(divideRoundHalfUp(-5n, 2n)).toBe(-3n);
    expect(divideRoundHalfUp(5n, -2n)).toBe(-3n);
    expect(() => divideRoundHalfUp(1n, 0n)).toThrow(RangeError);
  });
});
