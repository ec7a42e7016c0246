import { Decimal } from './decimal.ts';

/**
 * Currencies a plan may be priced in: lowercase ISO 4217 codes (Stripe's spelling) and the number
 * of digits of their minor unit. Amounts are stored and summed as integers of the minor unit
 * (cents, yen, fils); the exponent says where the decimal point goes.
 */
const CURRENCY_EXPONENTS = {
  usd: 2,
  eur: 2,
  gbp: 2,
  chf: 2,
  cad: 2,
  aud: 2,
  nzd: 2,
  sek: 2,
  nok: 2,
  dkk: 2,
  pln: 2,
  czk: 2,
  inr: 2,
  brl: 2,
  mxn: 2,
  sgd: 2,
  hkd: 2,
  zar: 2,
  jpy: 0,
  krw: 0,
  bhd: 3,
  kwd: 3,
  jod: 3,
  omr: 3,
} as const satisfies Record<string, 0 | 2 | 3>;

export type CurrencyCode = keyof typeof CURRENCY_EXPONENTS;
export const CURRENCY_CODES = Object.keys(CURRENCY_EXPONENTS) as CurrencyCode[];

export function isSupportedCurrency(code: string): code is CurrencyCode {
  return Object.hasOwn(CURRENCY_EXPONENTS, code);
}

function exponentOf(currency: string): number {
  if (!isSupportedCurrency(currency)) throw new RangeError(`unsupported currency: ${currency}`);
  return CURRENCY_EXPONENTS[currency];
}

/** Digits after the decimal point of the currency's minor unit: usd 2, jpy 0, kwd 3. */
export function currencyExponent(currency: string): number {
  return exponentOf(currency);
}

/** A major-unit amount as an integer of minor units, ROUND_HALF_UP: 0.005 usd → 1n (cent), 1234.5 jpy → 1235n. */
export function toMinor(amountMajor: Decimal, currency: string): bigint {
  return amountMajor.toScaledBigInt(exponentOf(currency));
}

/** Minor units back to an exact major-unit decimal: 123456n usd → 1234.56. */
export function fromMinor(amountMinor: bigint, currency: string): Decimal {
  return Decimal.fromScaled(amountMinor, exponentOf(currency));
}

/** True when the amount has no digits below the currency's minor unit (a fee must be chargeable as is). */
export function fitsMinorUnit(amountMajor: Decimal, currency: string): boolean {
  return amountMajor.fractionDigits() <= exponentOf(currency);
}

const formatters = new Map<string, Intl.NumberFormat>();
function formatter(currency: string, locale: string, fractionDigits: number, exponent: number) {
  const key = `${locale}|${currency}|${fractionDigits}`;
  let cached = formatters.get(key);
  if (!cached) {
    cached = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: currency.toUpperCase(),
      minimumFractionDigits: exponent,
      maximumFractionDigits: fractionDigits,
    });
    formatters.set(key, cached);
  }
  return cached;
}

// Intl.NumberFormat formats a numeric string as an exact decimal (no trip through a double), so
// amounts beyond 2^53 keep every digit.
function formatDecimal(amount: Decimal, currency: string, locale: string, fractionDigits: number): string {
  const exponent = exponentOf(currency);
  const text = amount.toFixed(exponent) as `${number}`;
  return formatter(currency, locale, fractionDigits, exponent).format(text);
}

/** An amount of minor units for people: 123456n usd → "$1,234.56", 1235n jpy → "¥1,235". */
export function formatMoney(amountMinor: bigint, currency: string, locale = 'en-US'): string {
  return formatDecimal(fromMinor(amountMinor, currency), currency, locale, exponentOf(currency));
}

/**
 * A major-unit price that may go below the minor unit, with every digit it has:
 * 0.00025 usd → "$0.00025", 49 usd → "$49.00".
 */
export function formatPrice(priceMajor: Decimal, currency: string, locale = 'en-US'): string {
  const digits = Math.max(exponentOf(currency), priceMajor.fractionDigits());
  return formatDecimal(priceMajor, currency, locale, digits);
}
