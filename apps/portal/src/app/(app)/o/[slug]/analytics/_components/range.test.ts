import { describe, expect, it } from 'vitest';
import { customRange, presetRange, widerPreset } from './range';

const NOW = Date.parse('2026-12-06T13:45:30Z');

describe('presetRange', () => {
  it('ends at the end of the current minute', () => {
    const range = presetRange('24h', NOW);
    expect(range.to.toISOString()).toBe('2026-12-06T13:46:00.000Z');
    expect(range.from.toISOString()).toBe('2026-12-05T13:46:00.000Z');
    expect(range.preset).toBe('24h');
  });
});

describe('widerPreset', () => {
  it('offers the next longer preset, none past the longest or for a custom range', () => {
    expect(widerPreset(presetRange('7d', NOW))?.id).toBe('30d');
    expect(widerPreset(presetRange('90d', NOW))).toBeNull();
    expect(widerPreset({ preset: 'custom', from: new Date(NOW), to: new Date(NOW) })).toBeNull();
  });
});

describe('customRange', () => {
  it('reads both ends as UTC', () => {
    expect(customRange('2026-12-01T00:00', '2026-12-02T12:00')).toEqual({
      preset: 'custom',
      from: new Date('2026-12-01T00:00:00Z'),
      to: new Date('2026-12-02T12:00:00Z'),
    });
  });

  it('says what is wrong with a range it cannot chart', () => {
    expect(customRange('', '2026-12-02T12:00')).toEqual({ error: 'Enter both a start and an end.' });
    expect(customRange('2026-12-02T12:00', '2026-12-02T12:00')).toEqual({
      error: 'The end must be after the start.',
    });
    expect(customRange('2025-01-01T00:00', '2026-12-01T00:00')).toEqual({
      error: 'The range can be at most 400 days.',
    });
  });
});
