import { describe, expect, it } from 'vitest';
import { RetryBudget } from './retry-budget.ts';

describe('RetryBudget', () => {
  it('allows retries up to the percentage of recent requests', () => {
    const budget = new RetryBudget(20, { minRetries: 0, now: () => 5_000 });
    for (let i = 0; i < 50; i++) budget.recordRequest();
    const granted = Array.from({ length: 20 }, () => budget.tryRetry()).filter(Boolean).length;
    expect(granted).toBe(10);
  });

  it('has a small floor so a quiet route can still retry, unless the budget is 0 %', () => {
    const budget = new RetryBudget(20, { minRetries: 2, now: () => 0 });
    budget.recordRequest();
    expect([budget.tryRetry(), budget.tryRetry(), budget.tryRetry()]).toEqual([true, true, false]);
    const none = new RetryBudget(0, { minRetries: 2 });
    none.recordRequest();
    expect(none.tryRetry()).toBe(false);
  });

  it('forgets requests and retries older than the window', () => {
    let now = 0;
    const budget = new RetryBudget(10, { minRetries: 0, windowMs: 10_000, now: () => now });
    for (let i = 0; i < 100; i++) budget.recordRequest();
    for (let i = 0; i < 10; i++) expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false);
    now = 11_000;
    expect(budget.tryRetry()).toBe(false); // the requests have aged out too
    for (let i = 0; i < 10; i++) budget.recordRequest();
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false);
  });
});
