import { describe, expect, it } from 'vitest';
import { budgetText, monthlyUsdBudget, usdText } from './usage-alert-budget.ts';

const usd = (window: string, scope: string, limit: string) => ({ metric: 'usd', window, scope, limit });

describe('monthlyUsdBudget', () => {
  it('takes the tightest monthly USD budget per app, else per organization', () => {
    expect(
      monthlyUsdBudget([usd('month', 'org', '10'), usd('month', 'app', '50'), usd('month', 'app', '20.5')]),
    ).toEqual({ scope: 'app', micros: 20_500_000n });
    expect(monthlyUsdBudget([usd('month', 'org', '10'), usd('month', 'org', '0.000001')])).toEqual({
      scope: 'org',
      micros: 1n,
    });
  });

  it('ignores token limits, shorter windows, per-key budgets and malformed documents', () => {
    expect(monthlyUsdBudget([])).toBeNull();
    expect(monthlyUsdBudget(null)).toBeNull();
    expect(monthlyUsdBudget({ not: 'a list' })).toBeNull();
    expect(
      monthlyUsdBudget([
        usd('day', 'app', '5'),
        usd('month', 'key', '5'),
        { metric: 'tokens', window: 'month', scope: 'app', limit: '1000' },
      ]),
    ).toBeNull();
  });
});

describe('usdText', () => {
  it('writes micro-USD exactly, with at least cents', () => {
    expect(usdText(0n)).toBe('$0.00');
    expect(usdText(50_000_000n)).toBe('$50.00');
    expect(usdText(40_100_000n)).toBe('$40.10');
    expect(usdText(1_500n)).toBe('$0.0015');
    expect(usdText(1_234_567_891n)).toBe('$1,234.567891');
    expect(usdText(-2_500_000n)).toBe('-$2.50');
  });

  it('names whose budget it is', () => {
    expect(budgetText({ scope: 'app', micros: 50_000_000n })).toBe('the $50.00 monthly AI budget');
    expect(budgetText({ scope: 'org', micros: 50_000_000n })).toBe(
      "the organization's $50.00 monthly AI budget",
    );
  });
});
