import type { ModelRoute, RouteTarget } from '@portcullis/core/ai-config';

/*
 * What this gateway process has seen of each route target: recent latency of successful calls, calls in
 * flight, and recent retryable failures with the cooldown they led to. Per process on purpose: these
 * steer the choice among targets and need no agreement between gateways (each learns the same from its
 * own traffic within a few calls). Keyed by the API's org, the credential and the provider model, so one
 * tenant's slow or failing calls never move another tenant's traffic, even on the same provider model.
 */

/** A target's identity for statistics and shared usage counters. */
export const targetKey = (orgId: string, target: RouteTarget): string =>
  `${orgId}\u0000${target.credentialId}\u0000${target.model}`;

/** Weight of the newest sample in the latency average. */
const LATENCY_ALPHA = 0.3;
/** A latency older than this no longer counts: the target is explored again as if untried. */
export const LATENCY_STALE_MS = 5 * 60_000;
/** Bound on remembered targets (each a few numbers); the least recently touched go first. */
const MAX_TARGETS = 20_000;

interface TargetState {
  latencyMs: number | null;
  latencyAt: number;
  inFlight: number;
  /** times of retryable failures within the route's window */
  failures: number[];
  coolUntil: number;
}

export type Cooldown = Pick<ModelRoute, 'cooldownFailures' | 'cooldownWindowSeconds' | 'cooldownSeconds'>;

export class TargetStats {
  private readonly targets = new Map<string, TargetState>();

  constructor(private readonly now: () => number = Date.now) {}

  private state(key: string): TargetState {
    let state = this.targets.get(key);
    if (state) {
      // re-inserted: the Map's order is the order of last use
      this.targets.delete(key);
    } else {
      state = { latencyMs: null, latencyAt: 0, inFlight: 0, failures: [], coolUntil: 0 };
      if (this.targets.size >= MAX_TARGETS) this.evictOne();
    }
    this.targets.set(key, state);
    return state;
  }

  private evictOne(): void {
    for (const [key, state] of this.targets) {
      // a target with calls in flight keeps its count (it is decremented when they end)
      if (state.inFlight > 0) continue;
      this.targets.delete(key);
      return;
    }
  }

  /** The recent latency average, or null when the target has none (untried, or too long ago). */
  latency(key: string): number | null {
    const state = this.targets.get(key);
    if (!state || state.latencyMs === null) return null;
    return this.now() - state.latencyAt > LATENCY_STALE_MS ? null : state.latencyMs;
  }

  inFlight(key: string): number {
    return this.targets.get(key)?.inFlight ?? 0;
  }

  coolingDown(key: string): boolean {
    const state = this.targets.get(key);
    return state !== undefined && state.coolUntil > this.now();
  }

  /** A call to the target starts; the returned function ends it (idempotent). */
  started(key: string): () => void {
    const state = this.state(key);
    state.inFlight++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      state.inFlight = Math.max(0, state.inFlight - 1);
    };
  }

  /** A successful call: its latency joins the average, and the target's failure streak is forgiven. */
  succeeded(key: string, latencyMs: number): void {
    this.observeLatency(key, latencyMs).failures = [];
  }

  /**
   * A latency sample without a success: a failed attempt counts as slow as the route's timeout, so a
   * failing target sorts last under least-latency instead of looking untried.
   */
  observeLatency(key: string, latencyMs: number): TargetState {
    const state = this.state(key);
    const nowMs = this.now();
    const fresh = state.latencyMs !== null && nowMs - state.latencyAt <= LATENCY_STALE_MS;
    state.latencyMs = fresh
      ? LATENCY_ALPHA * latencyMs + (1 - LATENCY_ALPHA) * (state.latencyMs as number)
      : latencyMs;
    state.latencyAt = nowMs;
    return state;
  }

  /**
   * A retryable failure (429, 5xx, connect, timeout). The route's `cooldownFailures`-th within its window
   * cools the target down for `cooldownSeconds`, or for the provider's retry-after when that is longer.
   */
  failed(key: string, cooldown: Cooldown, retryAfterMs: number | null): void {
    if (cooldown.cooldownFailures <= 0) return;
    const state = this.state(key);
    const nowMs = this.now();
    const since = nowMs - cooldown.cooldownWindowSeconds * 1000;
    state.failures = state.failures.filter((at) => at > since);
    state.failures.push(nowMs);
    if (state.failures.length < cooldown.cooldownFailures) return;
    const lengthMs = Math.max(cooldown.cooldownSeconds * 1000, retryAfterMs ?? 0);
    state.coolUntil = Math.max(state.coolUntil, nowMs + lengthMs);
    // the cooldown is the penalty: a target coming back starts with a clean count
    state.failures = [];
  }

  get size(): number {
    return this.targets.size;
  }
}
