import type { AiCallError } from '@portcullis/ai/errors';
import type { TokenUsage } from '@portcullis/ai/types';
import { describe, expect, it } from 'vitest';
import { ok } from '../result.ts';
import { AttemptBudget } from './attempt-budget.ts';
import { BilledAttempts } from './billed-attempts.ts';
import type { ReservedCall } from './calls.ts';
import type { AiRequest } from './context.ts';
import type { ResolvedTarget } from './credentials.ts';
import { mayHaveBilled } from './routing.ts';

/*
 * A split embeddings call (Titan: one request per text) reserves its input's tokens once. When a later
 * request fails with a retryable error status (503) the provider has billed the answered ones, and the
 * retry sends the whole input again: the call uses more than one worst case. The plan's limits promise
 * that the calls admitted never exceed them together (budgets.ts): no reservation may be settled above
 * the worst case it reserved, so a retry that may use another worst case needs a reservation of its own
 * (or is not sent).
 */

/** A reservation of `reserved` tokens (1 micro each) that records what it was settled to. */
function reservation(reserved: number) {
  const ended: { settled?: number; kept?: boolean; released?: boolean } = {};
  const call: ReservedCall = {
    limited: true,
    maxTokens: undefined,
    settle: (tokens) => {
      ended.settled = tokens;
    },
    release: () => {
      ended.released = true;
    },
    keep: () => {
      ended.kept = true;
    },
  };
  return { call, reserved, ended };
}

const usage = (tokens: number): TokenUsage => ({
  promptTokens: tokens,
  completionTokens: 0,
  totalTokens: tokens,
  estimated: false,
});

/** Bedrock answered 6 of 10 texts, then was unavailable: the 6 answers are billed. */
const unavailable = {
  kind: 'upstream',
  provider: 'bedrock',
  status: 503,
  upstreamStatus: 503,
  retryable: true,
  billed: usage(60),
} as unknown as AiCallError;

const target = {} as ResolvedTarget;
const pricing = { priceOf: async () => undefined, cost: (u: TokenUsage) => BigInt(u.totalTokens) };

describe('a split embeddings call retried after a billed failure', () => {
  it('settles no reservation above the worst case it reserved', async () => {
    const input = 100;
    const reservations = [reservation(input)];
    const budget = new AttemptBudget(reservations[0]!.call, async () => {
      const another = reservation(input);
      reservations.push(another);
      return ok(another.call);
    });
    const billed = new BilledAttempts(pricing as never, {} as AiRequest, budget);

    // The attempts as AiRouting.route makes them: the first fails after 6 of 10 requests were answered.
    await billed.failed(target, unavailable);
    if (mayHaveBilled(unavailable)) budget.hooks.onAbandoned?.(unavailable);
    expect(await budget.hooks.beforeRetry?.()).toBe(true);
    // The retry sends the whole input again and is answered.
    const answered = billed.withAnswer(usage(input), BigInt(input));
    expect(answered.usage.totalTokens).toBe(160);
    budget.settle(answered.usage.totalTokens, answered.costMicros);

    for (const { reserved, ended } of reservations) {
      expect(ended.settled ?? 0).toBeLessThanOrEqual(reserved);
    }
    const counted = reservations.reduce(
      (sum, r) => sum + (r.ended.kept ? r.reserved : (r.ended.settled ?? 0)),
      0,
    );
    expect(counted).toBe(160);
  });
});
