import {
  conforms,
  decide,
  gcraParams,
  type LimitDecision,
  type LimitRequest,
  type LimitStore,
  limitKeys,
  QUOTA_GRACE_MS,
  toMicros,
} from './types.ts';

interface Cell {
  /** A window's TAT (µs) or the quota's count. */
  value: number;
  expiresAtMs: number;
}

/**
 * Single-instance store running the Redis script's algorithm (GCRA windows + quota counter, all or
 * nothing). JavaScript runs the check-and-update without yielding, which is what makes it atomic here.
 */
export class MemoryLimitStore implements LimitStore {
  readonly kind = 'memory' as const;
  private readonly cells = new Map<string, Cell>();
  private readonly sweeper: NodeJS.Timeout;
  private latestNowMs = 0;

  constructor(sweepIntervalMs = 60_000) {
    // Sweeps by the latest clock callers passed in, so an injected clock is respected.
    this.sweeper = setInterval(() => this.sweep(this.latestNowMs), sweepIntervalMs);
    this.sweeper.unref();
  }

  async consume(request: LimitRequest): Promise<LimitDecision> {
    return this.consumeNow(request);
  }

  /** Synchronous form, for callers that must not yield between decisions. */
  consumeNow(request: LimitRequest): LimitDecision {
    const { quota, nowMs, windows } = request;
    const keys = limitKeys('', request);
    this.latestNowMs = Math.max(this.latestNowMs, nowMs);
    const nowUs = toMicros(nowMs);
    const tats = keys.windows.map((key) => Math.max(this.read(key, nowMs) ?? 0, nowUs));

    let quotaUsed = 0;
    if (quota) {
      // SET NX semantics (only an absent counter takes the Postgres base), or raise to it.
      const current = this.read(keys.quota, nowMs);
      if (current === undefined || (quota.raise && current < quota.base)) {
        this.cells.set(keys.quota, { value: quota.base, expiresAtMs: quota.resetAtMs + QUOTA_GRACE_MS });
      }
      quotaUsed = this.read(keys.quota, nowMs) ?? 0;
      if (quotaUsed >= quota.limit) return decide(request, 'quota_exceeded', quotaUsed, tats);
    }
    const refused = windows.some((window, i) => !conforms(tats[i] ?? nowUs, nowUs, window));
    if (refused) return decide(request, 'rate_limited', quotaUsed, tats);

    windows.forEach((window, i) => {
      const next = (tats[i] ?? nowUs) + gcraParams(window).intervalUs;
      this.cells.set(keys.windows[i] as string, { value: next, expiresAtMs: Math.ceil(next / 1000) });
    });
    if (quota) {
      const cell = this.cells.get(keys.quota);
      if (cell) cell.value += 1;
      quotaUsed += 1;
    }
    return decide(request, 'allowed', quotaUsed, tats);
  }

  /** Forgets every counter (the local failure mode starts each Redis outage afresh). */
  clear(): void {
    this.cells.clear();
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.cells.clear();
  }

  private read(key: string, nowMs: number): number | undefined {
    const cell = this.cells.get(key);
    if (!cell) return undefined;
    if (cell.expiresAtMs <= nowMs) {
      this.cells.delete(key);
      return undefined;
    }
    return cell.value;
  }

  private sweep(nowMs: number): void {
    for (const [key, cell] of this.cells) if (cell.expiresAtMs <= nowMs) this.cells.delete(key);
  }
}
