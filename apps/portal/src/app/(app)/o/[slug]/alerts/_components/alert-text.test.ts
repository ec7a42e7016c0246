import { describe, expect, it } from 'vitest';
import { kindText, lastSentText, standingText, usdText } from './alert-text';

describe('alert text', () => {
  it('names what an alert measures', () => {
    expect(kindText('SUBSCRIPTION_QUOTA')).toBe('monthly quota');
    expect(kindText('API_REQUESTS')).toBe('monthly request target');
    expect(kindText('SUBSCRIPTION_AI_BUDGET', 'app')).toBe('monthly AI budget');
    expect(kindText('SUBSCRIPTION_AI_BUDGET', 'org')).toBe('monthly AI budget (whole organization)');
  });

  it('says when the last notification went out, in UTC', () => {
    expect(lastSentText(null)).toBeNull();
    expect(lastSentText({ threshold: 80, at: new Date('2026-05-01T23:30:00Z') })).toBe('80% on 2026-05-01');
  });

  it('writes micro-USD as exact dollars with at least cents', () => {
    expect(usdText(0n)).toBe('$0.00');
    expect(usdText(50_000_000n)).toBe('$50.00');
    expect(usdText(1_500n)).toBe('$0.0015');
    expect(usdText(1_234_567_891n)).toBe('$1,234.567891');
    expect(usdText(123_456_789_012_345_678n)).toBe('$123,456,789,012.345678');
  });

  it('shows where an alert stands in requests or dollars', () => {
    expect(standingText({ kind: 'SUBSCRIPTION_QUOTA', used: 4n, limit: 5n, percent: 80 })).toBe(
      '4 of 5 (80%)',
    );
    expect(
      standingText({ kind: 'SUBSCRIPTION_AI_BUDGET', used: 40_000_000n, limit: 50_000_000n, percent: 80 }),
    ).toBe('$40.00 of $50.00 (80%)');
    expect(standingText({ kind: 'SUBSCRIPTION_AI_BUDGET', used: 0n, limit: null, percent: null })).toBeNull();
  });
});
