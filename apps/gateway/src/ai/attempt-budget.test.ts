import { describe, expect, it } from 'vitest';
import { ok } from '../result.ts';
import { AttemptBudget } from './attempt-budget.ts';
import type { ReservedCall } from './calls.ts';

/** A reservation that records how it ended. */
function recorded(log: string[], name: string): ReservedCall {
  return {
    limited: true,
    maxTokens: undefined,
    settle: (tokens, cost) => log.push(`${name} settled ${tokens} ${cost}`),
    release: () => log.push(`${name} released`),
    keep: () => log.push(`${name} kept`),
  };
}

const timeout = { kind: 'timeout' } as const;

describe('a call reservation across its attempts', () => {
  it('settles what failed attempts billed with the answer, once', () => {
    const log: string[] = [];
    const budget = new AttemptBudget(recorded(log, 'first'), async () => ok(recorded(log, 'second')));
    budget.settle(30, 600n);
    expect(log).toEqual(['first settled 30 600']);
  });

  it('leaves out what an attempt given up on billed: its kept worst case holds it', async () => {
    const log: string[] = [];
    const budget = new AttemptBudget(recorded(log, 'first'), async () => ok(recorded(log, 'second')));
    budget.hooks.onAbandoned?.(timeout as never);
    budget.heldAtWorst(11, 220n);
    expect(await budget.hooks.beforeRetry?.()).toBe(true);
    // the call billed 11 tokens in the abandoned attempt and 12 in the answering one
    budget.settle(23, 460n);
    expect(log).toEqual(['first kept', 'second settled 12 240']);
  });

  it('settles the next reservation to nothing when the kept worst case holds all the known usage', async () => {
    const log: string[] = [];
    const budget = new AttemptBudget(recorded(log, 'first'), async () => ok(recorded(log, 'second')));
    budget.hooks.onAbandoned?.(timeout as never);
    budget.heldAtWorst(11, 220n);
    await budget.hooks.beforeRetry?.();
    budget.settle(11, 220n);
    expect(log).toEqual(['first kept', 'second settled 0 0']);
  });
});
