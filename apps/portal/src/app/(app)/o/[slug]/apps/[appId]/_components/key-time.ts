/** How a key stands and how long ago / until when, in words. */

export type KeyState = 'active' | 'expiring' | 'expired' | 'revoked';

const DAY_MS = 86_400_000;

export function keyState(key: { revokedAt: Date | null; expiresAt: Date | null }, now: number): KeyState {
  if (key.revokedAt && key.revokedAt.getTime() <= now) return 'revoked';
  if (key.expiresAt && key.expiresAt.getTime() <= now) return 'expired';
  // Within a week of its expiry (a rotated key in its grace period, typically).
  if (key.expiresAt && key.expiresAt.getTime() - now <= 7 * DAY_MS) return 'expiring';
  return 'active';
}

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * DAY_MS],
  ['month', 30 * DAY_MS],
  ['day', DAY_MS],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "3 hours ago", "in 2 days", "just now". */
export function relativeTime(date: Date, now: number, locale = 'en'): string {
  const delta = date.getTime() - now;
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (Math.abs(delta) >= size) return format.format(Math.trunc(delta / size), unit);
  }
  return delta >= 0 ? 'in less than a minute' : 'just now';
}
