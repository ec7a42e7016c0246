import { describe, expect, it } from 'vitest';
import { budgetText, hasMonthlyUsdBudget, monthlyUsdBudgets, usdText } from './usage-alert-budget.ts';

const usd = (window: string, scope: string, limit: string) => ({ metric: 'usd', window, scope, limit });

describe('monthlyUsdBudgets', () => {
  it('takes the tightest monthly USD budget per app and per organization, app first', () => {
    expect(
      monthlyUsdBudgets([usd('month', 'org', '10'), usd('month', 'app', '50'), usd('month', 'app', '20.5')]),
    ).toEqual([
      { scope: 'app', micros: 20_500_000n },
      { scope: 'org', micros: 10_000_000n },
    ]);
    expect(monthlyUsdBudgets([usd('month', 'org', '10'), usd('month', 'org', '0.000001')])).toEqual([
      { scope: 'org', micros: 1n },
    ]);
  });

  it('leaves out $0 budgets (they refuse every call: nothing to warn of)', () => {
    expect(monthlyUsdBudgets([usd('month', 'app', '0'), usd('month', 'org', '5')])).toEqual([
      { scope: 'org', micros: 5_000_000n },
    ]);
    expect(hasMonthlyUsdBudget([usd('month', 'app', '0.00')])).toBe(false);
  });

  it('ignores token limits, shorter windows, per-key budgets and malformed documents', () => {
    expect(monthlyUsdBudgets([])).toEqual([]);
    expect(hasMonthlyUsdBudget(null)).toBe(false);
    expect(hasMonthlyUsdBudget({ not: 'a list' })).toBe(false);
    expect(
      monthlyUsdBudgets([
        usd('day', 'app', '5'),
        usd('month', 'key', '5'),
        { metric: 'tokens', window: 'month', scope: 'app', limit: '1000' },
      ]),
    ).toEqual([]);
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
