import type { AiCallError } from '@portcullis/ai/errors';
import type { TokenUsage } from '@portcullis/ai/types';
import type { AttemptBudget } from './attempt-budget.ts';
import type { AiCalls } from './calls.ts';
import type { AiRequest } from './context.ts';
import type { ResolvedTarget } from './credentials.ts';
import { mayHaveBilled } from './routing.ts';
import type { BilledUsage } from './surface-calls.ts';

/*
 * What a routed call's failed attempts were billed for: a split embeddings call whose later request
 * failed is billed for the requests answered before it (AiCallError.billed). Each attempt's usage is
 * priced at its own target's price and counted once, whether a later attempt answers (added to its
 * usage) or none does (metered alone). An attempt given up on keeps its worst case reserved, which holds
 * what it billed already: the budget is told so, and settles only the rest. One that ended on an error
 * status settles its reservation to what it billed, and a retry needs a reservation of its own.
 */
export class BilledAttempts {
  private usage: TokenUsage | null = null;
  private costMicros = 0n;

  constructor(
    private readonly ai: Pick<AiCalls, 'priceOf' | 'cost'>,
    private readonly ctx: AiRequest,
    private readonly budget: AttemptBudget,
  ) {}

  /** After each failed attempt, with the target it was sent to. */
  async failed(target: ResolvedTarget, error: AiCallError): Promise<void> {
    if (!error.billed) return;
    const cost = this.ai.cost(error.billed, await this.ai.priceOf(this.ctx, target));
    this.usage = addUsage(this.usage, error.billed);
    this.costMicros += cost;
    if (mayHaveBilled(error)) this.budget.heldAtWorst(error.billed.totalTokens, cost);
    else this.budget.billedExactly(error.billed.totalTokens, cost);
  }

  /** What failed attempts were billed for; null when none was. */
  get billed(): BilledUsage | null {
    return this.usage ? { usage: this.usage, costMicros: this.costMicros } : null;
  }

  /** The answering attempt's usage and cost with what the failed ones before it were billed for. */
  withAnswer(usage: TokenUsage, costMicros: bigint): BilledUsage {
    return { usage: addUsage(this.usage, usage), costMicros: this.costMicros + costMicros };
  }
}

function addUsage(sum: TokenUsage | null, usage: TokenUsage): TokenUsage {
  if (!sum) return usage;
  return {
    promptTokens: sum.promptTokens + usage.promptTokens,
    completionTokens: sum.completionTokens + usage.completionTokens,
    totalTokens: sum.totalTokens + usage.totalTokens,
    estimated: sum.estimated || usage.estimated,
  };
}
