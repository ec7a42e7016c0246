import { describe, expect, it } from 'vitest';
import { perAudioSecondCost, perCallCost, perImageCost, unitCost, worstUnitCost } from './ai-unit-costs.ts';

const row = { inputPerMillion: '0', outputPerMillion: '0' };

describe('per-unit AI prices', () => {
  it('prices images exactly: n × perImage in micro-dollars', () => {
    expect(perImageCost({ ...row, perImage: '0.04' }, 3)).toBe(120_000n);
    expect(perImageCost({ ...row, perImage: '0.0000004' }, 1)).toBe(0n);
    expect(perImageCost({ ...row, perImage: '0.0000005' }, 1)).toBe(1n);
    expect(perImageCost(row, 5)).toBe(0n);
    expect(perImageCost(undefined, 5)).toBe(0n);
  });

  it('prices audio by the millisecond, rounding half up to whole micros once', () => {
    // whisper-like $0.006 per minute = $0.0001 per second
    expect(perAudioSecondCost({ ...row, perAudioSecond: '0.0001' }, 60_000)).toBe(6_000n);
    // 1.5 ms at $0.001/s = 1.5 micros → 2
    expect(perAudioSecondCost({ ...row, perAudioSecond: '0.001' }, 1.5)).toBe(2n);
    // 2.5 s at $0.0000001/s = 0.25 micros → 0
    expect(perAudioSecondCost({ ...row, perAudioSecond: '0.0000001' }, 2_500)).toBe(0n);
    expect(perAudioSecondCost({ ...row, perAudioSecond: '0.0001' }, -5)).toBe(0n);
  });

  it('prices a flat call', () => {
    expect(perCallCost({ ...row, perCall: '0.0025' })).toBe(2_500n);
    expect(perCallCost({ ...row, perCall: null })).toBe(0n);
    expect(perCallCost(undefined)).toBe(0n);
  });

  it('sums the units of a call and takes the dearest row of a route', () => {
    const cheap = { ...row, perImage: '0.01', perCall: '0.001' };
    const dear = { ...row, perImage: '0.04', perAudioSecond: '0.0001' };
    expect(unitCost(cheap, { images: 2, calls: 1 })).toBe(21_000n);
    expect(unitCost(dear, { images: 1, audioMs: 10_000 })).toBe(41_000n);
    expect(worstUnitCost([cheap, undefined, dear], { images: 1 })).toBe(40_000n);
    expect(worstUnitCost([cheap, dear], undefined)).toBe(0n);
  });
});
