/** An alert as the list shows it; counts and micro-USD amounts are bigint and stay exact. */
export interface AlertRow {
  id: string;
  kind: string;
  subject: string;
  thresholds: number[];
  /** requests, or micro-USD for an AI budget alert */
  limit: bigint | null;
  used: bigint;
  percent: number | null;
  /** an AI budget alert: per app, or shared by the organization's apps */
  budgetScope: 'app' | 'org' | null;
  period: { start: Date; end: Date } | null;
  lastFiring: { threshold: number; at: Date } | null;
}

/** What an alert measures, in words. */
export function kindText(kind: string, budgetScope: AlertRow['budgetScope'] = null): string {
  if (kind === 'SUBSCRIPTION_AI_BUDGET') {
    return budgetScope === 'org' ? 'monthly AI budget (whole organization)' : 'monthly AI budget';
  }
  return kind === 'SUBSCRIPTION_QUOTA' ? 'monthly quota' : 'monthly request target';
}

const count = (n: bigint) => n.toLocaleString('en-US');

/** Micro-USD as dollars, exact, at least cents: 12_345_600n → "$12.3456", 50_000_000n → "$50.00". */
export function usdText(micros: bigint): string {
  const sign = micros < 0n ? '-' : '';
  const abs = micros < 0n ? -micros : micros;
  const fraction = (abs % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '').padEnd(2, '0');
  return `${sign}$${count(abs / 1_000_000n)}.${fraction}`;
}

/** "4 of 5 (80%)", or "$40.00 of $50.00 (80%)" for an AI budget; null when there is nothing to measure. */
export function standingText(row: Pick<AlertRow, 'kind' | 'limit' | 'used' | 'percent'>): string | null {
  if (row.limit === null || row.percent === null) return null;
  const amount = row.kind === 'SUBSCRIPTION_AI_BUDGET' ? usdText : count;
  return `${amount(row.used)} of ${amount(row.limit)} (${row.percent}%)`;
}

/** "80% on 2026-05-01" for the last notification sent, null when none was. */
export function lastSentText(lastFiring: AlertRow['lastFiring']): string | null {
  return lastFiring ? `${lastFiring.threshold}% on ${lastFiring.at.toISOString().slice(0, 10)}` : null;
}
