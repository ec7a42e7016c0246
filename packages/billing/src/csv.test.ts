import { describe, expect, it } from 'vitest';
import { csvCell, csvFileName, invoiceLinesCsv, revenueCsv, toCsv } from './csv.ts';

describe('csvCell', () => {
  it('quotes fields with commas, quotes, CR or LF and doubles quotes (RFC 4180)', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(12345678901234567890n)).toBe('12345678901234567890');
  });

  it('neutralises spreadsheet formulas but leaves plain numbers alone', () => {
    expect(csvCell('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"`);
    expect(csvCell('+1+1')).toBe("'+1+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell('-49.00')).toBe('-49.00');
    expect(csvCell('0.00025')).toBe('0.00025');
  });

  it('joins rows with CRLF and ends with one', () => {
    expect(toCsv(['a', 'b'], [['1', '2']])).toBe('a,b\r\n1,2\r\n');
  });
});

describe('invoiceLinesCsv', () => {
  it('writes one row per line with exact major-unit amounts and sub-cent unit prices', () => {
    const csv = invoiceLinesCsv({
      number: 'INV-000007',
      currency: 'usd',
      periodStart: new Date('2025-01-15T10:30:00Z'),
      periodEnd: new Date('2025-02-15T10:30:00Z'),
      lines: [
        {
          kind: 'flat_fee',
          description: 'Pro: fee, monthly',
          quantity: 1n,
          unitPrice: '49',
          amountMinor: 4900n,
        },
        { kind: 'usage', description: '=cmd|calc', quantity: 1110n, unitPrice: '0.00025', amountMinor: 28n },
        {
          kind: 'trial_credit',
          description: 'Free trial',
          quantity: 1n,
          unitPrice: '-49.28',
          amountMinor: -4928n,
        },
      ],
    });
    expect(csv.split('\r\n')).toEqual([
      'invoice,period_start,period_end,kind,description,quantity,unit_price,amount,currency',
      'INV-000007,2025-01-15,2025-02-15,flat_fee,"Pro: fee, monthly",1,49,49.00,USD',
      "INV-000007,2025-01-15,2025-02-15,usage,'=cmd|calc,1110,0.00025,0.28,USD",
      'INV-000007,2025-01-15,2025-02-15,trial_credit,Free trial,1,-49.28,-49.28,USD',
      '',
    ]);
  });

  it('uses the currency exponent (jpy has none, kwd three)', () => {
    const line = { kind: 'usage', description: 'x', quantity: 1n, unitPrice: '5', amountMinor: 5n };
    const base = { number: 'INV-1', periodStart: new Date(0), periodEnd: new Date(1), lines: [line] };
    expect(invoiceLinesCsv({ ...base, currency: 'jpy' })).toContain(',5,JPY');
    expect(invoiceLinesCsv({ ...base, currency: 'kwd' })).toContain(',0.005,KWD');
  });
});

describe('revenueCsv', () => {
  it('keeps each currency on its own row', () => {
    const csv = revenueCsv([
      {
        month: '2025-02',
        apiName: 'Maps',
        planName: 'Pro',
        currency: 'usd',
        invoices: 2,
        invoicedMinor: 10050n,
        paidMinor: 5025n,
      },
      {
        month: '2025-02',
        apiName: 'Maps',
        planName: 'Pro',
        currency: 'eur',
        invoices: 1,
        invoicedMinor: 700n,
        paidMinor: 0n,
      },
      {
        month: '2025-01',
        apiName: null,
        planName: null,
        currency: 'usd',
        invoices: 1,
        invoicedMinor: 1n,
        paidMinor: 1n,
      },
    ]);
    expect(csv.split('\r\n')).toEqual([
      'month,api,plan,currency,invoices,invoiced,paid',
      '2025-02,Maps,Pro,USD,2,100.50,50.25',
      '2025-02,Maps,Pro,EUR,1,7.00,0.00',
      '2025-01,,,USD,1,0.01,0.01',
      '',
    ]);
  });
});

describe('csvFileName', () => {
  it('keeps only safe characters', () => {
    expect(csvFileName('INV-000001')).toBe('INV-000001.csv');
    expect(csvFileName('acme "revenue"\r\n')).toBe('acme-revenue-.csv');
  });
});
