import type { UpstreamConfig } from '@portcullis/core/policies';

export type HealthConfig = UpstreamConfig['healthCheck'];

/**
 * Health of one target from active probes and passive observations (connect errors and 5xx count as
 * failures). `unhealthyThreshold` consecutive failures eject it, `healthyThreshold` consecutive successes
 * bring it back. Without active checks nothing would ever probe an ejected target, so passive ejection
 * then lasts `ejectMs` and the target is let back in on trial.
 */
export class TargetHealth {
  private healthy = true;
  private successes = 0;
  private failures = 0;
  private ejectedAt = 0;

  constructor(
    private readonly config: HealthConfig,
    private readonly ejectMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get isHealthy(): boolean {
    if (!this.healthy && !this.config.enabled && this.now() - this.ejectedAt >= this.ejectMs) {
      this.healthy = true;
      this.failures = 0;
      this.successes = 0;
    }
    return this.healthy;
  }

  onSuccess(): void {
    this.failures = 0;
    if (this.healthy) return;
    this.successes += 1;
    if (this.successes >= this.config.healthyThreshold) {
      this.healthy = true;
      this.successes = 0;
    }
  }

  onFailure(): void {
    this.successes = 0;
    if (!this.healthy) {
      this.ejectedAt = this.now();
      return;
    }
    this.failures += 1;
    if (this.failures >= this.config.unhealthyThreshold) {
      this.healthy = false;
      this.failures = 0;
      this.ejectedAt = this.now();
    }
  }
}
