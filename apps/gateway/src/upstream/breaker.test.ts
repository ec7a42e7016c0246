import { describe, expect, it } from 'vitest';
import { type BreakerConfig, CircuitBreaker } from './breaker.ts';

const config = (overrides: Partial<BreakerConfig> = {}): BreakerConfig => ({
  enabled: true,
  consecutiveFailures: 3,
  errorRatePercent: 50,
  windowSize: 10,
  openMs: 1_000,
  ...overrides,
});

function clocked(overrides: Partial<BreakerConfig> = {}) {
  let now = 0;
  const changes: string[] = [];
  const breaker = new CircuitBreaker(
    config(overrides),
    () => now,
    (from, to) => changes.push(`${from}->${to}`),
  );
  return { breaker, changes, advance: (ms: number) => (now += ms) };
}

describe('CircuitBreaker', () => {
  it('opens after N consecutive failures and refuses while open', () => {
    const { breaker } = clocked();
    breaker.onFailure();
    breaker.onFailure();
    expect(breaker.state).toBe('closed');
    breaker.onFailure();
    expect(breaker.state).toBe('open');
    expect(breaker.available).toBe(false);
    expect(breaker.acquire()).toBe(false);
    expect(breaker.retryAfterMs).toBe(1_000);
  });

  it('a success resets the consecutive count', () => {
    const { breaker } = clocked();
    breaker.onFailure();
    breaker.onFailure();
    breaker.onSuccess();
    breaker.onFailure();
    breaker.onFailure();
    expect(breaker.state).toBe('closed');
  });

  it('opens on the error rate over a full window even without a consecutive streak', () => {
    const { breaker } = clocked({ consecutiveFailures: 100, windowSize: 10, errorRatePercent: 50 });
    for (let i = 0; i < 4; i++) {
      breaker.onFailure();
      breaker.onSuccess();
    }
    expect(breaker.state).toBe('closed'); // 4 of 8: window not full yet
    breaker.onSuccess();
    expect(breaker.state).toBe('closed'); // 4 of 9
    breaker.onFailure();
    expect(breaker.state).toBe('open'); // 5 of 10 = 50 %
  });

  it('old outcomes slide out of the window', () => {
    const { breaker } = clocked({ consecutiveFailures: 100, windowSize: 5, errorRatePercent: 60 });
    breaker.onFailure();
    breaker.onFailure();
    for (let i = 0; i < 5; i++) breaker.onSuccess();
    breaker.onFailure();
    breaker.onFailure();
    expect(breaker.state).toBe('closed'); // 2 of the last 5
  });

  it('half-opens after openMs, lets exactly one probe through, and closes on its success', () => {
    const { breaker, changes, advance } = clocked();
    for (let i = 0; i < 3; i++) breaker.onFailure();
    advance(999);
    expect(breaker.state).toBe('open');
    advance(1);
    expect(breaker.state).toBe('half-open');
    expect(breaker.acquire()).toBe(true);
    expect(breaker.acquire()).toBe(false);
    expect(breaker.available).toBe(false);
    breaker.onSuccess();
    expect(breaker.state).toBe('closed');
    expect(breaker.acquire()).toBe(true);
    expect(changes).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
  });

  it('re-opens when the probe fails, for another openMs', () => {
    const { breaker, advance } = clocked();
    for (let i = 0; i < 3; i++) breaker.onFailure();
    advance(1_000);
    expect(breaker.acquire()).toBe(true);
    breaker.onFailure();
    expect(breaker.state).toBe('open');
    advance(500);
    expect(breaker.retryAfterMs).toBe(500);
    advance(500);
    expect(breaker.state).toBe('half-open');
  });

  it('frees the probe slot when the probe is abandoned', () => {
    const { breaker, advance } = clocked();
    for (let i = 0; i < 3; i++) breaker.onFailure();
    advance(1_000);
    expect(breaker.acquire()).toBe(true);
    breaker.release();
    expect(breaker.acquire()).toBe(true);
  });

  it('never opens when disabled', () => {
    const { breaker } = clocked({ enabled: false });
    for (let i = 0; i < 50; i++) breaker.onFailure();
    expect(breaker.available).toBe(true);
    expect(breaker.state).toBe('closed');
  });
});
