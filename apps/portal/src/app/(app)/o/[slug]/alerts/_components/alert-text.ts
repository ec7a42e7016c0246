/** An alert as the list shows it; counts are bigint and stay exact. */
export interface AlertRow {
  id: string;
  kind: string;
  subject: string;
  thresholds: number[];
  limit: bigint | null;
  used: bigint;
  percent: number | null;
  period: { start: Date; end: Date } | null;
  lastFiring: { threshold: number; at: Date } | null;
}

/** What an alert measures, in words. */
export function kindText(kind: string): string {
  return kind === 'SUBSCRIPTION_QUOTA' ? 'monthly quota' : 'monthly request target';
}

/** "80% on 2026-05-01" for the last notification sent, null when none was. */
export function lastSentText(lastFiring: AlertRow['lastFiring']): string | null {
  return lastFiring ? `${lastFiring.threshold}% on ${lastFiring.at.toISOString().slice(0, 10)}` : null;
}
