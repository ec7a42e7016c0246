import type { UpstreamConfig } from '@portcullis/core/policies';

export type BreakerConfig = UpstreamConfig['circuitBreaker'];
export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * Per-target circuit breaker. Closed: calls flow, outcomes go into a sliding window of the last
 * `windowSize` calls; N consecutive failures, or a full window failing at ≥ errorRatePercent, opens it.
 * Open: refuses for openMs, then half-open: exactly one probe goes through; its success closes the
 * breaker, its failure opens it again.
 */
export class CircuitBreaker {
  private stateValue: BreakerState = 'closed';
  private openedAt = 0;
  private consecutive = 0;
  private readonly window: boolean[] = [];
  private windowFailures = 0;
  private probeInFlight = false;

  constructor(
    private readonly config: BreakerConfig,
    private readonly now: () => number = Date.now,
    private readonly onChange: (from: BreakerState, to: BreakerState) => void = () => undefined,
  ) {}

  get state(): BreakerState {
    if (this.stateValue === 'open' && this.now() - this.openedAt >= this.config.openMs) {
      this.transition('half-open');
    }
    return this.stateValue;
  }

  /** Whether a call may go to this target now (without claiming the half-open probe). */
  get available(): boolean {
    if (!this.config.enabled) return true;
    const state = this.state;
    return state === 'closed' || (state === 'half-open' && !this.probeInFlight);
  }

  /** Claims the right to call; in half-open only the first caller gets it. */
  acquire(): boolean {
    if (!this.available) return false;
    if (this.config.enabled && this.stateValue === 'half-open') this.probeInFlight = true;
    return true;
  }

  /** Milliseconds until an open breaker lets a probe through (0 when not open). */
  get retryAfterMs(): number {
    if (this.state !== 'open') return 0;
    return Math.max(0, this.openedAt + this.config.openMs - this.now());
  }

  onSuccess(): void {
    if (!this.config.enabled) return;
    this.consecutive = 0;
    if (this.stateValue === 'half-open') {
      this.probeInFlight = false;
      this.resetWindow();
      this.transition('closed');
      return;
    }
    this.record(false);
  }

  onFailure(): void {
    if (!this.config.enabled) return;
    if (this.stateValue === 'half-open') {
      this.probeInFlight = false;
      this.open();
      return;
    }
    if (this.stateValue === 'open') return;
    this.consecutive += 1;
    this.record(true);
    const full = this.window.length >= this.config.windowSize;
    const rate = (this.windowFailures / this.window.length) * 100;
    if (
      this.consecutive >= this.config.consecutiveFailures ||
      (full && rate >= this.config.errorRatePercent)
    ) {
      this.open();
    }
  }

  /** The call ended without telling anything about the target (e.g. the client went away). */
  release(): void {
    if (this.stateValue === 'half-open') this.probeInFlight = false;
  }

  private record(failed: boolean): void {
    this.window.push(failed);
    if (failed) this.windowFailures += 1;
    while (this.window.length > this.config.windowSize) {
      if (this.window.shift()) this.windowFailures -= 1;
    }
  }

  private resetWindow(): void {
    this.window.length = 0;
    this.windowFailures = 0;
    this.consecutive = 0;
  }

  private open(): void {
    this.openedAt = this.now();
    this.resetWindow();
    this.transition('open');
  }

  private transition(to: BreakerState): void {
    const from = this.stateValue;
    if (from === to) return;
    this.stateValue = to;
    this.onChange(from, to);
  }
}
