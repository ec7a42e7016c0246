/** "80, 100" → [80, 100]; null when a part is not a whole number (the server checks the range). */
export function parseThresholds(text: string): number[] | null {
  const parts = text
    .split(/[\s,;%]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return null;
  const values = parts.map((p) => (/^\d{1,6}$/.test(p) ? Number(p) : Number.NaN));
  return values.some(Number.isNaN) ? null : values;
}

/** "1000000" or "1,000,000" → 1000000; null when not a whole number. */
export function parseCount(text: string): number | null {
  const plain = text.replace(/[,\s_]/g, '');
  return /^\d{1,13}$/.test(plain) ? Number(plain) : null;
}
