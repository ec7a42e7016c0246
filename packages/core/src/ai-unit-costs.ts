import type { ModelPrice } from './ai-config.ts';
import { Decimal, divideRoundHalfUp, pow10 } from './billing/decimal.ts';

/*
 * Per-unit prices of the price table (images, seconds of audio, calls), in micro-USD, exact: the USD
 * price times the quantity is an exact decimal, rounded half-up to whole micros once at the end. A row
 * without the price (or no row) costs 0 for that unit.
 */

/** `usd × quantity × 10^6 / divisor` in micro-USD, rounded half-up once. */
function microsOf(usd: string | null | undefined, quantity: bigint, divisor = 1n): bigint {
  if (!usd || quantity <= 0n) return 0n;
  const price = Decimal.parse(usd);
  const total = price.mulInt(quantity * 1_000_000n);
  return divideRoundHalfUp(total.coefficient, pow10(total.scale) * divisor);
}

/** n generated images at the row's `perImage`. */
export function perImageCost(price: ModelPrice | undefined, images: number): bigint {
  return microsOf(price?.perImage, BigInt(Math.max(0, Math.trunc(images))));
}

/** Input audio of `durationMs` milliseconds at the row's `perAudioSecond`. */
export function perAudioSecondCost(price: ModelPrice | undefined, durationMs: number): bigint {
  return microsOf(price?.perAudioSecond, BigInt(Math.max(0, Math.round(durationMs))), 1000n);
}

/** One request at the row's `perCall` (moderations and other flat-priced calls). */
export function perCallCost(price: ModelPrice | undefined): bigint {
  return microsOf(price?.perCall, 1n);
}

/** What a call is priced per besides tokens. */
export interface Units {
  images?: number | undefined;
  audioMs?: number | undefined;
  calls?: number | undefined;
}

/** The per-unit part of a call's cost at one price row. */
export function unitCost(price: ModelPrice | undefined, units: Units): bigint {
  return (
    perImageCost(price, units.images ?? 0) +
    perAudioSecondCost(price, units.audioMs ?? 0) +
    perCallCost(price) * BigInt(Math.max(0, Math.trunc(units.calls ?? 0)))
  );
}

/** The per-unit cost at the most expensive of a route's price rows (budget reservations). */
export function worstUnitCost(prices: readonly (ModelPrice | undefined)[], units: Units | undefined): bigint {
  if (!units) return 0n;
  let worst = 0n;
  for (const price of prices) {
    const cost = unitCost(price, units);
    if (cost > worst) worst = cost;
  }
  return worst;
}
