import { currencyExponent, fromMinor } from '@portcullis/core/billing/currency';

/**
 * RFC 4180 CSV: CRLF line ends, fields quoted when they hold a comma, quote, CR or LF, quotes
 * doubled. Text that a spreadsheet would run as a formula (=, +, -, @, and tab/CR, which some
 * spreadsheets strip before evaluating) gets a leading apostrophe; plain numbers such as "-49.00"
 * are left alone so they stay numbers.
 */

export type CsvCell = string | number | bigint | null | undefined;

const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CsvCell): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(text) && !PLAIN_NUMBER.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly CsvCell[]>): string {
  return [header, ...rows].map((row) => `${row.map(csvCell).join(',')}\r\n`).join('');
}

/** Exact major-unit amount for a spreadsheet: 4999n usd → "49.99", 5n jpy → "5". */
const csvAmount = (amountMinor: bigint, currency: string) =>
  fromMinor(amountMinor, currency).toFixed(currencyExponent(currency));

export interface InvoiceForCsv {
  number: string;
  currency: string;
  periodStart: Date;
  periodEnd: Date;
  lines: ReadonlyArray<{
    kind: string;
    description: string;
    quantity: bigint;
    unitPrice: string;
    amountMinor: bigint;
  }>;
}

const isoDay = (at: Date) => at.toISOString().slice(0, 10);

export function invoiceLinesCsv(invoice: InvoiceForCsv): string {
  return toCsv(
    [
      'invoice',
      'period_start',
      'period_end',
      'kind',
      'description',
      'quantity',
      'unit_price',
      'amount',
      'currency',
    ],
    invoice.lines.map((line) => [
      invoice.number,
      isoDay(invoice.periodStart),
      isoDay(invoice.periodEnd),
      line.kind,
      line.description,
      line.quantity,
      line.unitPrice,
      csvAmount(line.amountMinor, invoice.currency),
      invoice.currency.toUpperCase(),
    ]),
  );
}

export interface RevenueRowForCsv {
  month: string;
  apiName: string | null;
  planName: string | null;
  currency: string;
  invoices: number;
  invoicedMinor: bigint;
  paidMinor: bigint;
}

export function revenueCsv(rows: readonly RevenueRowForCsv[]): string {
  return toCsv(
    ['month', 'api', 'plan', 'currency', 'invoices', 'invoiced', 'paid'],
    rows.map((row) => [
      row.month,
      row.apiName ?? '',
      row.planName ?? '',
      row.currency.toUpperCase(),
      row.invoices,
      csvAmount(row.invoicedMinor, row.currency),
      csvAmount(row.paidMinor, row.currency),
    ]),
  );
}

/** A file name that is safe in a content-disposition header. */
export const csvFileName = (base: string) =>
  `${base.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 80) || 'export'}.csv`;

/** A download response: the browser saves it under `fileName` instead of showing it. */
export function csvResponse(body: string, fileName: string): Response {
  return new Response(body, {
    status: 200,
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${csvFileName(fileName)}"`,
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
    },
  });
}
