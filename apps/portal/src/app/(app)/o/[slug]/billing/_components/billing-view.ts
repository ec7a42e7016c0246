/** Pure helpers of the billing page: nothing here touches React, and money stays in minor units. */

export const INVOICE_PAGE_SIZE = 10;

export const STATUS_FILTERS = [
  { value: '', label: 'All' },
  { value: 'FINALIZED', label: 'Open' },
  { value: 'PAID', label: 'Paid' },
  { value: 'VOID', label: 'Void' },
] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number]['value'];

/** Pages of a server-paged list: at least one, so "Page 1 of 1" reads right. */
export function serverPages(total: number, pageSize: number): number {
  if (pageSize <= 0) return 1;
  return Math.max(1, Math.ceil(total / pageSize));
}

/** "2 invoices created, 1 skipped" after a billing run. */
export function closeSummary(result: { invoicesCreated: number; skipped: readonly unknown[] }): string {
  const created = `${result.invoicesCreated} invoice${result.invoicesCreated === 1 ? '' : 's'} created`;
  return result.skipped.length > 0 ? `${created}, ${result.skipped.length} skipped` : created;
}

interface WaitingRow {
  state: string;
  paymentMethodError: string | null;
}

/** A subscription waits for Stripe's webhook: back from Checkout with no error, not started yet. */
export function waitsForStripe(rows: readonly WaitingRow[] | undefined): boolean {
  return rows?.some((row) => row.state === 'AWAITING_PAYMENT_METHOD' && !row.paymentMethodError) ?? false;
}

/**
 * How full the quota is, in thousandths (0–1000), for the usage bar. Integer arithmetic on bigint:
 * a quota of 0 reads as full.
 */
export function usagePermille(used: bigint, quota: number): number {
  const whole = Number.isFinite(quota) ? Math.trunc(quota) : 0;
  if (whole <= 0) return 1000;
  const permille = (used * 1000n) / BigInt(whole);
  return permille >= 1000n ? 1000 : Number(permille);
}

/** What the "Upcoming charge" cell says when there is no projected charge. */
export function noChargeText(state: string): string {
  return state === 'ACTIVE' || state === 'SUSPENDED' ? 'Pricing unavailable' : 'None';
}

/** The distinct currencies of some rows, sorted: amounts of different currencies never add up. */
export function currenciesOf(rows: ReadonlyArray<{ currency: string }>): string[] {
  return [...new Set(rows.map((r) => r.currency))].sort();
}
