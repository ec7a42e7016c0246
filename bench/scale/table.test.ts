import { describe, expect, it } from 'vitest';
import {
  dayChunks,
  errorRow,
  externalRows,
  failures,
  formatValue,
  median,
  parseSize,
  parseSizes,
  renderScaleTable,
  type ScaleRow,
  sizeLabel,
  verdict,
} from './table.ts';

describe('sizes', () => {
  it('reads k and m suffixes and plain counts', () => {
    expect(parseSize('1m')).toBe(1_000_000);
    expect(parseSize(' 20M ')).toBe(20_000_000);
    expect(parseSize('500k')).toBe(500_000);
    expect(parseSize('2.5m')).toBe(2_500_000);
    expect(parseSize('250000')).toBe(250_000);
  });

  it('refuses what is not a size, with the reason', () => {
    expect(() => parseSize('lots')).toThrow(
      '"lots" is not a size: use a row count such as 1m, 500k or 250000',
    );
    expect(() => parseSize('1g')).toThrow('is not a size');
    expect(() => parseSize('-1m')).toThrow('is not a size');
    expect(() => parseSize('10')).toThrow('"10" is too small: at least 1k rows');
    expect(() => parseSize('200m')).toThrow('"200m" is too large: at most 100m rows');
  });

  it('takes a list once each, smallest first', () => {
    expect(parseSizes('20m,1m, 5m,1000k,')).toEqual([1_000_000, 5_000_000, 20_000_000]);
    expect(() => parseSizes(' , ')).toThrow('no size given');
    expect(() => parseSizes('1m,x')).toThrow('"x" is not a size');
  });

  it('labels sizes the way they are written', () => {
    expect(sizeLabel(1_000_000)).toBe('1m');
    expect(sizeLabel(2_500_000)).toBe('2.5m');
    expect(sizeLabel(100_000)).toBe('100k');
    expect(sizeLabel(1_234)).toBe('1,234');
    for (const label of ['1m', '5m', '20m', '500k', '2.5m']) expect(sizeLabel(parseSize(label))).toBe(label);
  });
});

describe('dayChunks', () => {
  it('splits the rows evenly, the last day taking the remainder, numbered from 1 without gaps', () => {
    const chunks = dayChunks(1_000_003, 30);
    expect(chunks).toHaveLength(30);
    expect(chunks[0]).toEqual({ day: 0, first: 1, count: 33_333 });
    expect(chunks[29]).toEqual({ day: 29, first: 29 * 33_333 + 1, count: 33_346 });
    expect(chunks.reduce((sum, c) => sum + c.count, 0)).toBe(1_000_003);
    for (let i = 1; i < chunks.length; i++) {
      const previous = chunks[i - 1] as { first: number; count: number };
      expect(chunks[i]?.first).toBe(previous.first + previous.count);
    }
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([30, 10, 20])).toBe(20);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow('median of no values');
  });
});

const row = (value: number | null, target?: ScaleRow['target'], unit = 'ms'): ScaleRow => ({
  measure: 'm',
  size: '1m rows',
  value,
  unit,
  ...(target ? { target } : {}),
});

describe('verdicts', () => {
  it('passes at the limit, fails beyond it, in either direction', () => {
    expect(verdict(row(200, { op: '<=', limit: 200 }))).toBe('PASS');
    expect(verdict(row(200.1, { op: '<=', limit: 200 }))).toBe('FAIL');
    expect(verdict(row(35_000, { op: '>=', limit: 35_000 }, 'events/s'))).toBe('PASS');
    expect(verdict(row(34_999, { op: '>=', limit: 35_000 }, 'events/s'))).toBe('FAIL');
    expect(verdict(row(12))).toBe('');
    expect(verdict(row(null, { op: '<=', limit: 1 }))).toBe('not measured');
    expect(verdict(errorRow('request log', '1m rows', new Error('relation\n  "X" does not exist')))).toBe(
      'ERROR',
    );
    expect(failures([row(1, { op: '<=', limit: 0 }), row(1, { op: '<=', limit: 2 }), row(null)])).toBe(1);
  });
});

describe('renderScaleTable', () => {
  it('prints each figure beside its target and verdict', () => {
    const table = renderScaleTable([
      {
        measure: 'request log: page 1',
        size: '1m rows',
        value: 3.456,
        unit: 'ms',
        target: { op: '<=', limit: 200 },
      },
      {
        measure: 'metering ingest',
        size: 'empty ledger',
        value: 41_234.4,
        unit: 'events/s',
        target: { op: '>=', limit: 35_000 },
        note: 'a | b',
      },
      { measure: 'generation: RequestLog', size: '1m rows', value: 12.3456, unit: 's' },
      { measure: 'analytics', size: '', value: null, unit: '', note: 'not measured: module missing' },
      errorRow('metrics scrape', '', new Error('relation\n  "X" does not exist')),
    ]);
    expect(table.split('\n')).toEqual([
      '| measure | data | value | target | verdict | note |',
      '| --- | --- | ---: | ---: | --- | --- |',
      '| request log: page 1 | 1m rows | 3.46 ms | ≤ 200 ms | PASS |  |',
      '| metering ingest | empty ledger | 41,234 events/s | ≥ 35,000 events/s | PASS | a \\| b |',
      '| generation: RequestLog | 1m rows | 12.35 s |  |  |  |',
      '| analytics |  | — |  | not measured | not measured: module missing |',
      '| metrics scrape |  | — |  | ERROR | relation "X" does not exist |',
      '',
    ]);
  });

  it('formats each unit with its own precision', () => {
    expect(formatValue(1234.56, 'ms')).toBe('1,234.6 ms');
    expect(formatValue(0.5, 'MB')).toBe('0.5 MB');
    expect(formatValue(7, '')).toBe('7');
    expect(formatValue(0.4, 'MB', true)).toBe('0 MB');
  });
});

describe('externalRows', () => {
  it('reads rows of a module written apart, prefixed with its part', () => {
    expect(
      externalRows('analytics', [
        { measure: '24 h range', value: 12, unit: 'ms', target: 300, size: '1 y × 200 APIs' },
        { name: 'scrape', value: 5, targetMs: 100 },
        { name: 'rate', value: 5, unit: 'req/s', target: 10 },
      ]),
    ).toEqual([
      {
        measure: 'analytics: 24 h range',
        size: '1 y × 200 APIs',
        value: 12,
        unit: 'ms',
        target: { op: '<=', limit: 300 },
        note: undefined,
      },
      {
        measure: 'analytics: scrape',
        size: '',
        value: 5,
        unit: 'ms',
        target: { op: '<=', limit: 100 },
        note: undefined,
      },
      {
        measure: 'analytics: rate',
        size: '',
        value: 5,
        unit: 'req/s',
        target: { op: '>=', limit: 10 },
        note: undefined,
      },
    ]);
    expect(
      externalRows('metrics', { rows: [{ measure: 'x', value: 1, target: { op: '>=', limit: 2 } }] })[0],
    ).toMatchObject({
      measure: 'metrics: x',
      target: { op: '>=', limit: 2 },
    });
  });

  it('turns the figures of a result object into rows', () => {
    expect(
      externalRows('gateway memory', {
        keys: 1000,
        items: 3,
        mode: 'redis',
        peakRssBytes: 150 * 1024 * 1024,
        touchMs: 12.5,
        cacheBytes: { keys: 2 * 1024 * 1024 },
        totalsAddUp: false,
      }),
    ).toEqual([
      { measure: 'gateway memory: keys', size: '', value: 1000, unit: '' },
      { measure: 'gateway memory: items', size: '', value: 3, unit: '' },
      { measure: 'gateway memory: peakRssBytes', size: '', value: 150, unit: 'MB' },
      { measure: 'gateway memory: touchMs', size: '', value: 12.5, unit: 'ms' },
      { measure: 'gateway memory: cacheBytes.keys', size: '', value: 2, unit: 'MB' },
      {
        measure: 'gateway memory: totalsAddUp',
        size: '',
        value: 0,
        unit: '',
        target: { op: '>=', limit: 1 },
        note: 'false',
      },
    ]);
  });

  it('keeps what it cannot read as a row that says so', () => {
    expect(externalRows('gateway memory', { rssMb: 120n })).toEqual([
      {
        measure: 'gateway memory',
        size: '',
        value: null,
        unit: '',
        note: 'unreadable result: {"rssMb":"120"}',
      },
    ]);
    expect(externalRows('x', [{ measure: 'y', value: 'fast' }])[0]).toMatchObject({
      value: null,
      note: 'no numeric value returned',
    });
  });
});
