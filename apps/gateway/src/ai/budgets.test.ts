import type { AiLimit, AiLimits } from '@portcullis/core/ai-config';
import { describe, expect, it } from 'vitest';
import { type BudgetCounterStore, MemoryBudgetStore } from './budget-stores.ts';
import { AiBudgets, type BudgetCallers, DEFAULT_OUTPUT_CAP, outputCap, worstCost } from './budgets.ts';

const NOW = Date.UTC(2030, 0, 15, 12, 0, 0);
const budgets = (store: BudgetCounterStore = new MemoryBudgetStore(() => NOW)) =>
  new AiBudgets(
    store,
    () => NOW,
    () => undefined,
  );
const limit = (scope: AiLimit['scope'], amount = '10'): AiLimit[] => [
  { metric: 'tokens', window: 'day', scope, limit: amount },
];
const caller = (over: Partial<BudgetCallers> = {}): BudgetCallers => ({
  planId: 'plan-x',
  subscriptionId: 'sub-1',
  keyId: 'key-1',
  orgId: 'org-1',
  ...over,
});
const tokens = (n: number) => ({ tokens: n, costMicros: 0n });

/** Whether a call of `n` tokens would be admitted now (it is released again at once). */
async function admits(b: AiBudgets, limits: AiLimits, who: BudgetCallers, n = 1): Promise<boolean> {
  const reserved = await b.reserve(limits, who, tokens(n));
  if (reserved.ok) reserved.value.release();
  return reserved.ok;
}

async function use(b: AiBudgets, limits: AiLimits, who: BudgetCallers, n: number): Promise<void> {
  const reserved = await b.reserve(limits, who, tokens(n));
  if (!reserved.ok) throw new Error('refused');
  reserved.value.settle(n, 0n);
}

describe('AI budget counters belong to the plan', () => {
  it.each([
    ['a key', 'key'],
    ['an app', 'app'],
    ['an org', 'org'],
  ] as const)('%s limit used up on one plan leaves another plan untouched', async (_, scope) => {
    const b = budgets();
    await use(b, limit(scope), caller(), 10);
    expect(await admits(b, limit(scope), caller())).toBe(false);
    expect(await admits(b, limit(scope), caller({ planId: 'plan-y', subscriptionId: 'sub-2' }))).toBe(true);
  });

  it('shares an org limit between the org’s subscriptions on one plan, not a key or app limit', async () => {
    const b = budgets();
    for (const scope of ['key', 'app', 'org'] as const) await use(b, limit(scope), caller(), 10);
    const sibling = caller({ subscriptionId: 'sub-2', keyId: 'key-2' });
    expect(await admits(b, limit('org'), sibling)).toBe(false);
    expect(await admits(b, limit('app'), sibling)).toBe(true);
    expect(await admits(b, limit('key'), sibling)).toBe(true);
    // another key of the same subscription: the app (subscription) limit is shared, the key limit is not
    expect(await admits(b, limit('app'), caller({ keyId: 'key-2' }))).toBe(false);
    expect(await admits(b, limit('key'), caller({ keyId: 'key-2' }))).toBe(true);
  });
});

describe('AI budget reservations', () => {
  it('admits reservations up to the limit together and refuses the one that would cross it', async () => {
    const b = budgets();
    const held = await Promise.all([1, 2, 3].map(() => b.reserve(limit('key'), caller(), tokens(3))));
    expect(held.every((r) => r.ok)).toBe(true);
    const refused = await b.reserve(limit('key'), caller(), tokens(2));
    expect(refused).toMatchObject({ ok: false, error: { status: 429, headers: { 'retry-after': '43200' } } });
    expect(await admits(b, limit('key'), caller(), 1)).toBe(true);
  });

  it('settles to what was used, releases on failure, and moves a counter only once', async () => {
    const b = budgets();
    const first = await b.reserve(limit('key'), caller(), tokens(8));
    if (!first.ok) throw new Error('refused');
    first.value.settle(3, 0n);
    first.value.release();
    first.value.settle(8, 0n);
    expect(await admits(b, limit('key'), caller(), 7)).toBe(true);
    expect(await admits(b, limit('key'), caller(), 8)).toBe(false);
    const second = await b.reserve(limit('key'), caller(), tokens(7));
    if (!second.ok) throw new Error('refused');
    second.value.release();
    second.value.release();
    expect(await admits(b, limit('key'), caller(), 7)).toBe(true);
  });

  it('takes nothing from any counter when one of them refuses', async () => {
    const b = budgets();
    const limits: AiLimits = [...limit('key', '100'), ...limit('org', '5')];
    expect((await b.reserve(limits, caller(), tokens(6))).ok).toBe(false);
    expect(await admits(b, limit('key', '100'), caller(), 100)).toBe(true);
  });

  it('counts a call once on a counter two limits share, against the smaller limit', async () => {
    const b = budgets();
    const shared: AiLimits = [...limit('key', '100'), ...limit('key', '10'), ...limit('key', '1000')];
    await use(b, shared, caller(), 4);
    expect(await admits(b, shared, caller(), 6)).toBe(true);
    expect(await admits(b, shared, caller(), 7)).toBe(false);
  });

  it('refuses even a call that costs nothing once a counter is at its limit (a $0 budget)', async () => {
    const b = budgets();
    const free = { tokens: 5, costMicros: 0n };
    const zero: AiLimits = [{ metric: 'usd', window: 'month', scope: 'app', limit: '0' }];
    expect((await b.reserve(zero, caller(), free)).ok).toBe(false);
    const spent: AiLimits = [{ metric: 'usd', window: 'month', scope: 'app', limit: '0.00001' }];
    const used = await b.reserve(spent, caller(), { tokens: 5, costMicros: 10n });
    if (!used.ok) throw new Error('refused');
    used.value.settle(5, 10n);
    expect((await b.reserve(spent, caller(), free)).ok).toBe(false);
  });

  it('refuses a call whose worst case alone exceeds a limit, asking to lower max_tokens', async () => {
    const refused = await budgets().reserve(limit('app'), caller(), tokens(11));
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error.status).toBe(429);
    expect(refused.error.body.error.code).toBe('token_limit_exceeded');
    expect(refused.error.body.error.message).toContain('lower max_tokens');
  });

  it('fails open when the store is unreachable and still counts the usage at settle', async () => {
    const memory = new MemoryBudgetStore(() => NOW);
    const broken: BudgetCounterStore = {
      kind: 'redis',
      get: (keys) => memory.get(keys),
      reserve: () => Promise.reject(new Error('ECONNREFUSED')),
      add: (entries) => memory.add(entries),
      close: () => Promise.resolve(),
    };
    const b = budgets(broken);
    const reserved = await b.reserve(limit('key'), caller(), tokens(8));
    if (!reserved.ok) throw new Error('refused');
    reserved.value.settle(4, 0n);
    const [key] = await memory.get([
      `ai:{plan:plan-x:sub:sub-1:key:key-1}:tokens:day:${NOW - 12 * 3_600_000}`,
    ]);
    expect(key).toBe(4n);
  });
});

describe('a call’s worst case', () => {
  const cheap = { inputPerMillion: '1', outputPerMillion: '1', maxOutputTokens: 1000 };
  const dear = { inputPerMillion: '1', outputPerMillion: '10', maxOutputTokens: 500 };

  it('caps output at the caller’s max_tokens, else the smallest model cap of the route, else the default', () => {
    expect(outputCap(20, [cheap, dear])).toBe(20);
    expect(outputCap(null, [cheap, dear, undefined])).toBe(500);
    expect(outputCap(undefined, [undefined])).toBe(DEFAULT_OUTPUT_CAP);
  });

  it('is priced at the most expensive target of the route', () => {
    expect(worstCost(100, 10, [cheap, dear, undefined])).toBe(200n);
    expect(worstCost(100, 10, [])).toBe(0n);
  });
});
