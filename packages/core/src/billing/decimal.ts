/**
 * Exact decimal numbers for money: value = coefficient × 10^-scale, both integers, so sums and
 * products are exact at any size (prices go down to sub-cent per request, quantities past 2^63).
 * Nothing here ever converts to a JavaScript number.
 *
 * Rounding is ROUND_HALF_UP in the commercial sense: to the nearest value, and a tie (exactly half
 * way) goes away from zero — 0.125 → 0.13, −0.125 → −0.13. It is symmetric, so a credit line is
 * always the exact negation of the charge it cancels.
 */

export class DecimalParseError extends Error {
  constructor(
    readonly input: string,
    reason: string,
  ) {
    super(`${JSON.stringify(input)} is not a valid decimal: ${reason}`);
    this.name = 'DecimalParseError';
  }
}

export type DecimalParseOptions = {
  /** default false: prices and quantities are never negative */
  allowNegative?: boolean;
  /** default 12 */
  maxFractionDigits?: number;
  /** default 18: bounds the work a hostile string can cause */
  maxIntegerDigits?: number;
};

export const MAX_FRACTION_DIGITS = 12;
const DEFAULT_MAX_INTEGER_DIGITS = 18;
// Plain positional notation only: no exponent, no grouping separators, no leading '.' or trailing '.'.
const DECIMAL_SYNTAX = /^(-?)(\d+)(?:\.(\d+))?$/;

const pow10Cache: bigint[] = [];
export function pow10(exponent: number): bigint {
  if (!Number.isInteger(exponent) || exponent < 0) throw new RangeError(`bad power of ten: ${exponent}`);
  let cached = pow10Cache[exponent];
  if (cached === undefined) {
    cached = 10n ** BigInt(exponent);
    if (exponent < 64) pow10Cache[exponent] = cached;
  }
  return cached;
}

const abs = (n: bigint) => (n < 0n ? -n : n);

export class Decimal {
  static readonly ZERO = new Decimal(0n, 0);

  /** Normalised: scale ≥ 0 and, when scale > 0, the coefficient has no trailing zero digit. */
  private constructor(
    readonly coefficient: bigint,
    readonly scale: number,
  ) {}

  private static of(coefficient: bigint, scale: number): Decimal {
    let c = coefficient;
    let s = scale;
    while (s > 0 && c % 10n === 0n) {
      c /= 10n;
      s -= 1;
    }
    return c === 0n ? Decimal.ZERO : new Decimal(c, s);
  }

  /** Throws DecimalParseError. Accepts "12", "0.0001", "49.00"; rejects "1e-3", ".5", "1.", "1,000", " 1". */
  static parse(text: string, options: DecimalParseOptions = {}): Decimal {
    const maxFraction = options.maxFractionDigits ?? MAX_FRACTION_DIGITS;
    const maxInteger = options.maxIntegerDigits ?? DEFAULT_MAX_INTEGER_DIGITS;
    if (typeof text !== 'string') throw new DecimalParseError(String(text), 'expected a string');
    const match = DECIMAL_SYNTAX.exec(text);
    if (!match) throw new DecimalParseError(text, 'use plain digits with an optional decimal point');
    const [, sign = '', integerDigits = '', fractionDigits = ''] = match;
    if (sign && !options.allowNegative) throw new DecimalParseError(text, 'must not be negative');
    if (fractionDigits.length > maxFraction) {
      throw new DecimalParseError(text, `at most ${maxFraction} digits after the decimal point`);
    }
    if (integerDigits.replace(/^0+(?=\d)/, '').length > maxInteger) {
      throw new DecimalParseError(text, `at most ${maxInteger} digits before the decimal point`);
    }
    const magnitude = BigInt(integerDigits + fractionDigits);
    return Decimal.of(sign ? -magnitude : magnitude, fractionDigits.length);
  }

  /** null instead of throwing: for validators. */
  static tryParse(text: string, options?: DecimalParseOptions): Decimal | null {
    try {
      return Decimal.parse(text, options);
    } catch (error) {
      if (error instanceof DecimalParseError) return null;
      throw error;
    }
  }

  static fromBigInt(value: bigint): Decimal {
    return Decimal.of(value, 0);
  }

  /** 12345n with exponent 2 → 123.45 */
  static fromScaled(coefficient: bigint, scale: number): Decimal {
    if (!Number.isInteger(scale) || scale < 0) throw new RangeError(`bad scale: ${scale}`);
    return Decimal.of(coefficient, scale);
  }

  /** The coefficient at a scale at least as large as this one's: exact, no rounding. */
  private coefficientAt(scale: number): bigint {
    return this.coefficient * pow10(scale - this.scale);
  }

  add(other: Decimal): Decimal {
    const scale = Math.max(this.scale, other.scale);
    return Decimal.of(this.coefficientAt(scale) + other.coefficientAt(scale), scale);
  }

  sub(other: Decimal): Decimal {
    return this.add(other.negate());
  }

  negate(): Decimal {
    return this.coefficient === 0n ? this : new Decimal(-this.coefficient, this.scale);
  }

  mul(other: Decimal): Decimal {
    return Decimal.of(this.coefficient * other.coefficient, this.scale + other.scale);
  }

  /** × an integer quantity (requests, tokens): exact for any size. */
  mulInt(quantity: bigint): Decimal {
    return Decimal.of(this.coefficient * quantity, this.scale);
  }

  /** ÷ 10^digits, exact: a per-million price becomes a per-unit price. */
  shiftLeft(digits: number): Decimal {
    if (!Number.isInteger(digits) || digits < 0) throw new RangeError(`bad shift: ${digits}`);
    return Decimal.of(this.coefficient, this.scale + digits);
  }

  compare(other: Decimal): -1 | 0 | 1 {
    const scale = Math.max(this.scale, other.scale);
    const a = this.coefficientAt(scale);
    const b = other.coefficientAt(scale);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  equals(other: Decimal): boolean {
    return this.compare(other) === 0;
  }

  isZero(): boolean {
    return this.coefficient === 0n;
  }

  isNegative(): boolean {
    return this.coefficient < 0n;
  }

  /** Digits after the decimal point in the canonical form. */
  fractionDigits(): number {
    return this.scale;
  }

  /**
   * The value × 10^scale rounded to an integer with ROUND_HALF_UP (ties away from zero):
   * `toScaledBigInt(2)` of 0.125 is 13n, of 0.124999 is 12n, of −0.125 is −13n.
   */
  toScaledBigInt(scale: number): bigint {
    if (!Number.isInteger(scale) || scale < 0) throw new RangeError(`bad scale: ${scale}`);
    if (scale >= this.scale) return this.coefficientAt(scale);
    const divisor = pow10(this.scale - scale);
    const magnitude = abs(this.coefficient);
    let quotient = magnitude / divisor;
    if ((magnitude % divisor) * 2n >= divisor) quotient += 1n;
    return this.coefficient < 0n ? -quotient : quotient;
  }

  /** ROUND_HALF_UP to at most `scale` fraction digits. */
  round(scale: number): Decimal {
    return Decimal.of(this.toScaledBigInt(scale), scale);
  }

  /** Canonical form: no exponent, no trailing fraction zeros, "0" for zero: "0.00025", "49", "-1.5". */
  toString(): string {
    return this.toFixed(0);
  }

  /** Like toString but with at least `minFractionDigits` digits after the point: toFixed(2) of 49 is "49.00". */
  toFixed(minFractionDigits: number): string {
    const digits = Math.max(minFractionDigits, this.scale);
    const magnitude = abs(this.coefficientAt(digits))
      .toString()
      .padStart(digits + 1, '0');
    const integerPart = magnitude.slice(0, magnitude.length - digits);
    const fractionPart = magnitude.slice(magnitude.length - digits);
    const sign = this.coefficient < 0n ? '-' : '';
    return digits === 0 ? `${sign}${integerPart}` : `${sign}${integerPart}.${fractionPart}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

/** Sum of any number of decimals; ZERO for none. */
export function sumDecimals(values: Iterable<Decimal>): Decimal {
  let total = Decimal.ZERO;
  for (const value of values) total = total.add(value);
  return total;
}

/**
 * numerator / denominator rounded to an integer with ROUND_HALF_UP (ties away from zero), on
 * bigints only. Used for linear extrapolation of usage.
 */
export function divideRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  const negative = numerator < 0n !== denominator < 0n;
  const n = abs(numerator);
  const d = abs(denominator);
  let quotient = n / d;
  if ((n % d) * 2n >= d) quotient += 1n;
  return negative ? -quotient : quotient;
}
