import { describe, expect, it } from 'vitest';
import { type HealthConfig, TargetHealth } from './health.ts';

const config = (enabled: boolean): HealthConfig => ({
  enabled,
  path: '/health',
  intervalMs: 1_000,
  healthyThreshold: 2,
  unhealthyThreshold: 3,
});

describe('TargetHealth', () => {
  it('ejects after unhealthyThreshold consecutive failures and returns after healthyThreshold successes', () => {
    const health = new TargetHealth(config(true), 5_000, () => 0);
    health.onFailure();
    health.onFailure();
    health.onSuccess();
    health.onFailure();
    health.onFailure();
    expect(health.isHealthy).toBe(true);
    health.onFailure();
    expect(health.isHealthy).toBe(false);
    health.onSuccess();
    expect(health.isHealthy).toBe(false);
    health.onSuccess();
    expect(health.isHealthy).toBe(true);
  });

  it('with active checks, stays ejected until probes succeed', () => {
    let now = 0;
    const health = new TargetHealth(config(true), 5_000, () => now);
    for (let i = 0; i < 3; i++) health.onFailure();
    now = 60_000;
    expect(health.isHealthy).toBe(false);
  });

  it('without active checks, lets an ejected target back in after ejectMs (again after a new failure)', () => {
    let now = 0;
    const health = new TargetHealth(config(false), 5_000, () => now);
    for (let i = 0; i < 3; i++) health.onFailure();
    now = 4_000;
    health.onFailure(); // fail-open traffic failed again: the ejection restarts
    now = 8_999;
    expect(health.isHealthy).toBe(false);
    now = 9_000;
    expect(health.isHealthy).toBe(true);
  });
});
