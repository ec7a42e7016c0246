import type { Result } from '../result.ts';
import type { ReservedCall } from './calls.ts';
import type { AiFailure } from './errors.ts';
import type { AttemptHooks } from './routing.ts';

/*
 * A call's reservation across its routed attempts. An attempt given up on (a timeout) is still
 * generated, and billed, by the provider: it keeps its worst case counted, and a fallback attempt after
 * it needs a worst case of its own, reserved before it is sent. When the budget cannot cover another
 * attempt, routing stops and the caller gets the failure of the last one. An attempt that failed without
 * the provider billing it (an error status, a refused connection) leaves its reservation to the next.
 * Usage known of a failed attempt (a split call's answered requests) is settled with the call's, except
 * what an attempt given up on billed: its kept worst case already holds it (heldAtWorst).
 */
export class AttemptBudget implements ReservedCall {
  private readonly held: ReservedCall[];
  /** attempts that may be billed unseen: each holds one reservation, in order */
  private abandoned = 0;
  /** known usage of those attempts, which their kept worst cases hold: left out of settle() */
  private readonly kept = { tokens: 0, cost: 0n };

  constructor(
    first: ReservedCall,
    private readonly reserveAnother: () => Promise<Result<ReservedCall, AiFailure>>,
  ) {
    this.held = [first];
  }

  get limited(): boolean {
    return (this.held[0] as ReservedCall).limited;
  }

  get maxTokens(): number | undefined {
    return (this.held[0] as ReservedCall).maxTokens;
  }

  /** The hooks routeCall calls around attempts. */
  readonly hooks: AttemptHooks = {
    onAbandoned: () => {
      this.abandoned++;
    },
    beforeRetry: async () => {
      if (!this.limited || this.abandoned < this.held.length) return true;
      const another = await this.reserveAnother();
      if (!another.ok) return false;
      this.held.push(another.value);
      return true;
    },
  };

  /**
   * An attempt given up on was billed at least `tokens`/`cost` (known, and metered with the call): its
   * worst case, kept, holds them already, so settle() does not count them again.
   */
  heldAtWorst(tokens: number, cost: bigint): void {
    this.kept.tokens += tokens;
    this.kept.cost += cost;
  }

  /**
   * The call used `tokens`/`cost` in all (the answering attempt and what failed ones billed); attempts
   * given up on stay at their worst, the first reservation after them settles the rest.
   */
  settle(tokens: number, cost: bigint): void {
    const rest = Math.max(0, tokens - this.kept.tokens);
    const restCost = cost > this.kept.cost ? cost - this.kept.cost : 0n;
    this.held.forEach((r, i) => {
      if (i < this.abandoned) r.keep();
      else if (i === this.abandoned) r.settle(rest, restCost);
      else r.release();
    });
  }

  /** No usage came back: only the attempts given up on stay counted. */
  release(): void {
    this.held.forEach((r, i) => {
      if (i < this.abandoned) r.keep();
      else r.release();
    });
  }

  keep(): void {
    for (const r of this.held) r.keep();
  }
}
