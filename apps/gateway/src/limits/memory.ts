import {
  decide,
  type LimitDecision,
  type LimitRequest,
  type LimitStore,
  limitKeys,
  windowBounds,
} from './types.ts';

interface Counter {
  value: number;
  expiresAtMs: number;
}

/**
 * Single-instance store with the Redis script's semantics. JavaScript runs the check-and-increment
 * without yielding, which is what makes it atomic here.
 */
export class MemoryLimitStore implements LimitStore {
  readonly kind = 'memory' as const;
  private readonly counters = new Map<string, Counter>();
  private readonly sweeper: NodeJS.Timeout;
  private latestNowMs = 0;

  constructor(sweepIntervalMs = 60_000) {
    // Sweeps by the latest clock callers passed in, so an injected clock is respected.
    this.sweeper = setInterval(() => this.sweep(this.latestNowMs), sweepIntervalMs);
    this.sweeper.unref();
  }

  async consume(request: LimitRequest): Promise<LimitDecision> {
    const { rate, quota, nowMs } = request;
    const keys = limitKeys('', request);
    this.latestNowMs = Math.max(this.latestNowMs, nowMs);
    const rateUsed = rate ? (this.read(keys.window, nowMs) ?? 0) : 0;
    let quotaUsed = 0;
    if (quota) {
      // SET NX semantics: only an absent counter takes the Postgres base.
      if (this.read(keys.quota, nowMs) === undefined) {
        this.counters.set(keys.quota, { value: quota.base, expiresAtMs: quota.resetAtMs + 86_400_000 });
      }
      quotaUsed = this.read(keys.quota, nowMs) ?? 0;
    }
    if (quota && quotaUsed >= quota.limit) return decide(request, 'quota_exceeded', rateUsed, quotaUsed);
    if (rate && rateUsed >= rate.limit) return decide(request, 'rate_limited', rateUsed, quotaUsed);
    let newRate = 0;
    if (rate) newRate = this.increment(keys.window, windowBounds(nowMs, rate.windowSeconds).endMs, nowMs);
    if (quota) quotaUsed = this.increment(keys.quota, quota.resetAtMs + 86_400_000, nowMs);
    return decide(request, 'allowed', newRate, quotaUsed);
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.counters.clear();
  }

  private read(key: string, nowMs: number): number | undefined {
    const counter = this.counters.get(key);
    if (!counter) return undefined;
    if (counter.expiresAtMs <= nowMs) {
      this.counters.delete(key);
      return undefined;
    }
    return counter.value;
  }

  private increment(key: string, expiresAtMs: number, nowMs: number): number {
    const existing = this.read(key, nowMs) === undefined ? undefined : this.counters.get(key);
    if (existing) {
      existing.value += 1;
      return existing.value;
    }
    this.counters.set(key, { value: 1, expiresAtMs });
    return 1;
  }

  private sweep(nowMs: number): void {
    for (const [key, counter] of this.counters) if (counter.expiresAtMs <= nowMs) this.counters.delete(key);
  }
}
