/** Display formatting for analytics and logs: times in UTC, like the hourly and daily rollups. */

export const count = (n: number) => n.toLocaleString('en-US');

export const percent = (ratio: number | null) =>
  ratio === null ? '—' : `${(ratio * 100).toFixed(ratio > 0 && ratio < 0.001 ? 3 : 2)}%`;

export const ms = (value: number | null) =>
  value === null ? '—' : value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`;

const pad = (n: number) => String(n).padStart(2, '0');

/** `2024-05-10 13:00` (UTC). */
export function utcMinute(at: Date): string {
  return `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())} ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}`;
}

/** `2024-05-10 13:00:05.123` (UTC): request log rows are ms apart. */
export const utcPrecise = (at: Date) => at.toISOString().replace('T', ' ').replace('Z', '');

/** A datetime-local input's value read as UTC (the inputs are labelled UTC). */
export function parseUtcInput(value: string): Date | null {
  if (!value) return null;
  const at = new Date(`${value}Z`);
  return Number.isNaN(at.getTime()) ? null : at;
}

/** The value a datetime-local input shows for a UTC instant. */
export const utcInputValue = (at: Date) => at.toISOString().slice(0, 16);
