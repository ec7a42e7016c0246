'use client';

import { formatMoney, formatPrice, isSupportedCurrency } from '@portcullis/core/billing/currency';
import { Decimal } from '@portcullis/core/billing/decimal';

/** Formatting for billing pages: amounts arrive as bigint minor units with their currency. */

export function money(amountMinor: bigint, currency: string): string {
  return isSupportedCurrency(currency) ? formatMoney(amountMinor, currency) : `${amountMinor} ${currency}`;
}

/** A unit price with every digit it has ("$0.00025"); credits are negative. */
export function unitPrice(text: string, currency: string): string {
  const value = Decimal.tryParse(text, { allowNegative: true });
  return value && isSupportedCurrency(currency) ? formatPrice(value, currency) : text;
}

export const count = (n: bigint | number) => n.toLocaleString('en-US');

/** UTC calendar day: periods are computed in UTC, so that is the day they start and end. */
export const day = (at: Date | null | undefined) => (at ? at.toISOString().slice(0, 10) : '—');

export function MoneyTotals({
  totals,
  empty = '—',
}: {
  totals: ReadonlyArray<{ currency: string; amountMinor: bigint }>;
  empty?: string;
}) {
  if (totals.length === 0) return <span className="muted">{empty}</span>;
  // One amount per currency: different currencies are never added together.
  return <span>{totals.map((t) => money(t.amountMinor, t.currency)).join(' · ')}</span>;
}

const STATUS_CLASS: Record<string, string> = {
  PAID: 'status-active',
  FINALIZED: '',
  DRAFT: 'status-suspended',
  VOID: 'status-cancelled',
};

export function InvoiceStatus({ status, overdue = false }: { status: string; overdue?: boolean }) {
  return (
    <span className={`badge ${STATUS_CLASS[status] ?? ''}`} data-testid="invoice-status">
      {overdue ? 'OVERDUE' : status === 'FINALIZED' ? 'OPEN' : status}
    </span>
  );
}
