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
 */
export class AttemptBudget implements ReservedCall {
  private readonly held: ReservedCall[];
  /** attempts that may be billed unseen: each holds one reservation, in order */
  private abandoned = 0;

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

  /** The answering attempt used `tokens`/`cost`; attempts given up on before it stay at their worst. */
  settle(tokens: number, cost: bigint): void {
    this.held.forEach((r, i) => {
      if (i < this.abandoned) r.keep();
      else if (i === this.abandoned) r.settle(tokens, cost);
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
