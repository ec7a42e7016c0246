/** The columns a usage batch adds to a rollup row (the totals; `updatedAt` is replaced). */
const SUMMED = [
  'requests',
  'billable',
  'bytesIn',
  'bytesOut',
  'tokensIn',
  'tokensOut',
  'costMicros',
] as const;

/**
 * `ON CONFLICT … DO UPDATE` adding a batch's sums to an existing UsageRollup (hourly) or UsageDailyRollup
 * row: the one upsert both the metering worker (apply.ts) and the gateway's embedded meter use, so the two
 * writers of the billing totals cannot drift apart. Constant SQL text (no input reaches it).
 */
export function addToRollupOnConflict(table: 'UsageRollup' | 'UsageDailyRollup'): string {
  const key =
    table === 'UsageRollup'
      ? '"subscriptionId", "bucketStart", "statusClass"'
      : '"subscriptionId", day, "statusClass"';
  const sums = SUMMED.map((column) => `"${column}" = "${table}"."${column}" + excluded."${column}"`);
  return `ON CONFLICT (${key}) DO UPDATE SET ${[...sums, '"updatedAt" = excluded."updatedAt"'].join(', ')}`;
}
