/** What the balancer needs to know about a target; `id` must be stable across picks. */
export interface Candidate {
  id: string;
  weight: number;
  inFlight: number;
}

export type BalancingMode = 'round-robin' | 'least-connections';

/**
 * Picks one target per request. Round-robin is nginx's smooth weighted round-robin (weights 3:1 give
 * A A B A, never A A A B); least-connections takes the fewest in-flight requests, the higher weight on a
 * tie, then rotates. Targets with weight 0 are drained: chosen only when every target has weight 0.
 */
export class Balancer {
  private readonly current = new Map<string, number>();
  private rotation = 0;

  constructor(private readonly mode: BalancingMode) {}

  pick<T extends Candidate>(candidates: readonly T[]): T | undefined {
    const weighted = candidates.filter((c) => c.weight > 0);
    const pool = weighted.length > 0 ? weighted : candidates.map((c) => ({ ...c, weight: 1, source: c }));
    if (pool.length === 0) return undefined;
    const chosen =
      this.mode === 'least-connections' ? this.leastConnections(pool) : this.smoothWeighted(pool);
    return chosen && 'source' in chosen ? (chosen.source as T) : (chosen as T | undefined);
  }

  private smoothWeighted<T extends Candidate>(pool: readonly T[]): T | undefined {
    let total = 0;
    let best: T | undefined;
    let bestCurrent = Number.NEGATIVE_INFINITY;
    for (const candidate of pool) {
      const next = (this.current.get(candidate.id) ?? 0) + candidate.weight;
      this.current.set(candidate.id, next);
      total += candidate.weight;
      if (next > bestCurrent) {
        best = candidate;
        bestCurrent = next;
      }
    }
    if (best) this.current.set(best.id, bestCurrent - total);
    return best;
  }

  private leastConnections<T extends Candidate>(pool: readonly T[]): T | undefined {
    let fewest = Number.POSITIVE_INFINITY;
    let heaviest = 0;
    let tied: T[] = [];
    for (const candidate of pool) {
      if (candidate.inFlight < fewest || (candidate.inFlight === fewest && candidate.weight > heaviest)) {
        fewest = candidate.inFlight;
        heaviest = candidate.weight;
        tied = [candidate];
      } else if (candidate.inFlight === fewest && candidate.weight === heaviest) {
        tied.push(candidate);
      }
    }
    if (tied.length === 0) return undefined;
    this.rotation = (this.rotation + 1) % 1_000_000;
    return tied[this.rotation % tied.length];
  }
}
