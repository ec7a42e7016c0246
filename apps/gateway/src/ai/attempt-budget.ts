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
 * Usage known of a failed attempt (a split call's answered requests before an error status) settles
 * that attempt's reservation, and a retry reserves anew (billedExactly); what an attempt given up on
 * billed is held by its kept worst case already (heldAtWorst).
 */
export class AttemptBudget implements ReservedCall {
  private readonly held: ReservedCall[];
  /**
   * The reservations failed attempts used up, in order: null for one given up on (kept at its worst
   * case, what it was billed is unseen), or the usage an attempt is known to have been billed for (a
   * split call's answered requests before an error status), which its reservation settles to.
   */
  private readonly used: ({ tokens: number; cost: bigint } | null)[] = [];
  /** known usage of attempts given up on, which their kept worst cases hold: left out of settle() */
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
      this.used.push(null);
    },
    beforeRetry: async () => {
      if (!this.limited || this.used.length < this.held.length) return true;
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
   * A failed attempt is known to have been billed exactly `tokens`/`cost` (a split call's answered
   * requests): its reservation settles to that, and another attempt needs a reservation of its own — a
   * retry sends the whole input again, which the first reservation's worst case no longer covers.
   */
  billedExactly(tokens: number, cost: bigint): void {
    this.used.push({ tokens, cost });
  }

  /**
   * The call used `tokens`/`cost` in all (the answering attempt and what failed ones billed); attempts
   * given up on stay at their worst, ones billed exactly settle to it, the next reservation settles the
   * rest.
   */
  settle(tokens: number, cost: bigint): void {
    let restTokens = tokens - this.kept.tokens;
    let restCost = cost - this.kept.cost;
    for (const exact of this.used) {
      if (!exact) continue;
      restTokens -= exact.tokens;
      restCost -= exact.cost;
    }
    this.held.forEach((r, i) => {
      if (i < this.used.length) this.endUsed(r, this.used[i] ?? null);
      else if (i === this.used.length) r.settle(Math.max(0, restTokens), restCost > 0n ? restCost : 0n);
      else r.release();
    });
  }

  /** No usage came back: only what failed attempts used stays counted. */
  release(): void {
    this.held.forEach((r, i) => {
      if (i < this.used.length) this.endUsed(r, this.used[i] ?? null);
      else r.release();
    });
  }

  keep(): void {
    for (const r of this.held) r.keep();
  }

  private endUsed(reservation: ReservedCall, exact: { tokens: number; cost: bigint } | null): void {
    if (exact) reservation.settle(exact.tokens, exact.cost);
    else reservation.keep();
  }
}
