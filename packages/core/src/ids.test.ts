import { describe, expect, it } from 'vitest';
import { uuidv7 } from './ids.ts';

describe('uuidv7', () => {
  it('has the UUID text form with version 7 and the RFC variant', () => {
    const id = uuidv7();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('carries the millisecond timestamp in its first 48 bits', () => {
    const at = Date.UTC(2026, 10, 24, 1, 2, 3, 456);
    const id = uuidv7(at);
    expect(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
    // the largest 48-bit time (year 10889) still fits
    expect(uuidv7(2 ** 48 - 1).slice(0, 13)).toBe('ffffffff-ffff');
  });

  it('sorts by time as text, and never repeats', () => {
    const earlier = Array.from({ length: 1_000 }, () => uuidv7(1_700_000_000_000));
    const later = Array.from({ length: 1_000 }, () => uuidv7(1_700_000_000_001));
    expect(new Set([...earlier, ...later]).size).toBe(2_000);
    for (const a of earlier.slice(0, 50)) for (const b of later.slice(0, 50)) expect(a < b).toBe(true);
  });
});
