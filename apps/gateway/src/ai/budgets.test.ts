import type { AiLimit } from '@portcullis/core/ai-config';
import { describe, expect, it } from 'vitest';
import { AiBudgets, type BudgetCallers, MemoryBudgetStore } from './budgets.ts';

const NOW = Date.UTC(2030, 0, 15, 12, 0, 0);
const budgets = () =>
  new AiBudgets(
    new MemoryBudgetStore(() => NOW),
    () => NOW,
    () => undefined,
  );
const limit = (scope: AiLimit['scope']): AiLimit[] => [
  { metric: 'tokens', window: 'day', scope, limit: '10' },
];
const caller = (over: Partial<BudgetCallers> = {}): BudgetCallers => ({
  planId: 'plan-x',
  subscriptionId: 'sub-1',
  keyId: 'key-1',
  orgId: 'org-1',
  ...over,
});

describe('AI budget counters belong to the plan', () => {
  it.each([
    ['a key', 'key'],
    ['an app', 'app'],
    ['an org', 'org'],
  ] as const)('%s limit used up on one plan leaves another plan untouched', async (_, scope) => {
    const b = budgets();
    await b.add(limit(scope), caller(), 10, 0n);
    expect(await b.check(limit(scope), caller())).toMatchObject({ status: 429 });
    expect(await b.check(limit(scope), caller({ planId: 'plan-y', subscriptionId: 'sub-2' }))).toBeNull();
  });

  it('shares an org limit between the org’s subscriptions on one plan, not a key or app limit', async () => {
    const b = budgets();
    for (const scope of ['key', 'app', 'org'] as const) await b.add(limit(scope), caller(), 10, 0n);
    const sibling = caller({ subscriptionId: 'sub-2', keyId: 'key-2' });
    expect(await b.check(limit('org'), sibling)).toMatchObject({ status: 429 });
    expect(await b.check(limit('app'), sibling)).toBeNull();
    expect(await b.check(limit('key'), sibling)).toBeNull();
    // another key of the same subscription: the app (subscription) limit is shared, the key limit is not
    expect(await b.check(limit('app'), caller({ keyId: 'key-2' }))).toMatchObject({ status: 429 });
    expect(await b.check(limit('key'), caller({ keyId: 'key-2' }))).toBeNull();
  });
});
