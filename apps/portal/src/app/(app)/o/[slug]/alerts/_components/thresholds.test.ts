import { describe, expect, it } from 'vitest';
import { parseCount, parseThresholds, readAlertForm } from './thresholds';

describe('parseThresholds', () => {
  it('reads percentages separated by commas, spaces or percent signs', () => {
    expect(parseThresholds('80, 100')).toEqual([80, 100]);
    expect(parseThresholds('80% 100%')).toEqual([80, 100]);
  });
  it('refuses empty input and anything not a whole number', () => {
    expect(parseThresholds('')).toBeNull();
    expect(parseThresholds('80, 9.5')).toBeNull();
    expect(parseThresholds('eighty')).toBeNull();
  });
});

describe('parseCount', () => {
  it('accepts digit grouping and refuses other text', () => {
    expect(parseCount('1,000,000')).toBe(1_000_000);
    expect(parseCount('12k')).toBeNull();
  });
});

describe('readAlertForm', () => {
  it('reads a quota alert without asking for a request target', () => {
    expect(
      readAlertForm({ kind: 'SUBSCRIPTION_QUOTA', subjectId: 's1', target: '', thresholds: '80, 100' }),
    ).toEqual({
      draft: { kind: 'SUBSCRIPTION_QUOTA', subscriptionId: 's1', thresholds: [80, 100] },
      errors: null,
    });
  });
  it('reads an AI budget alert on a subscription', () => {
    expect(
      readAlertForm({ kind: 'SUBSCRIPTION_AI_BUDGET', subjectId: 's2', target: 'x', thresholds: '100 80' })
        .draft,
    ).toEqual({ kind: 'SUBSCRIPTION_AI_BUDGET', subscriptionId: 's2', thresholds: [100, 80] });
  });
  it('asks an API alert for its monthly target', () => {
    expect(
      readAlertForm({ kind: 'API_REQUESTS', subjectId: 'a1', target: '', thresholds: '80' }).errors,
    ).toEqual({
      target: 'Enter a number of requests, like 1,000,000',
    });
    expect(
      readAlertForm({ kind: 'API_REQUESTS', subjectId: 'a1', target: '1,000', thresholds: '50' }).draft,
    ).toEqual({
      kind: 'API_REQUESTS',
      apiId: 'a1',
      target: 1000,
      thresholds: [50],
    });
  });
  it('names a bad threshold list', () => {
    expect(
      readAlertForm({ kind: 'SUBSCRIPTION_QUOTA', subjectId: 's1', target: '', thresholds: 'x' }).errors,
    ).toEqual({
      thresholds: 'Enter whole percentages, like 80, 100',
    });
  });
});
