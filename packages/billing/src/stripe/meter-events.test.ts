import { describe, expect, it } from 'vitest';
import { meterEventIdentifier } from './meter-events.ts';

describe('meterEventIdentifier', () => {
  const bucket = new Date('2026-02-01T10:00:00Z');

  it('is the same for the same parts and differs when any part differs', () => {
    const a = meterEventIdentifier(['sub_123', bucket, 42n]);
    expect(meterEventIdentifier(['sub_123', new Date(bucket), 42n])).toBe(a);
    expect(meterEventIdentifier(['sub_123', bucket, 43n])).not.toBe(a);
    expect(meterEventIdentifier(['sub_124', bucket, 42n])).not.toBe(a);
  });

  it('keeps parts apart that would read alike once sanitized or joined', () => {
    expect(meterEventIdentifier(['a b'])).not.toBe(meterEventIdentifier(['a-b']));
    expect(meterEventIdentifier(['a', 'b'])).not.toBe(meterEventIdentifier(['a_b']));
    expect(meterEventIdentifier(['ab', 'c'])).not.toBe(meterEventIdentifier(['a', 'bc']));
  });

  it('uses only [A-Za-z0-9_-], at most 100 characters, with a readable prefix', () => {
    const long = meterEventIdentifier(['tenant/ünïcode & spaces', 'x'.repeat(300), bucket, 7]);
    expect(long.length).toBeLessThanOrEqual(100);
    expect(long).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(meterEventIdentifier(['sub_123', 5])).toMatch(/^sub-123_5_[0-9a-f]{32}$/);
    expect(meterEventIdentifier(['!!!'])).toMatch(/^[0-9a-f]{32}$/);
  });

  it('treats numbers and their decimal strings alike', () => {
    expect(meterEventIdentifier(['sub', 5])).toBe(meterEventIdentifier(['sub', '5']));
    expect(meterEventIdentifier(['sub', 5n])).toBe(meterEventIdentifier(['sub', 5]));
  });

  it('refuses no parts', () => {
    expect(() => meterEventIdentifier([])).toThrow();
  });
});
