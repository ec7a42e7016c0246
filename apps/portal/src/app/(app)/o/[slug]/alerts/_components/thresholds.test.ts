import { describe, expect, it } from 'vitest';
import { parseCount, parseThresholds } from './thresholds';

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
