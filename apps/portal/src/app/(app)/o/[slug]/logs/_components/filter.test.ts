import { describe, expect, it } from 'vitest';
import { appliedFilter, csvHref, logSides, NO_FILTER } from './filter';

describe('appliedFilter', () => {
  it('drops empty filters and trims text', () => {
    expect(appliedFilter(NO_FILTER)).toEqual({});
    expect(appliedFilter({ ...NO_FILTER, status: ' 5xx ', pathPrefix: ' /a/b ', keyId: '  ' })).toEqual({
      status: '5xx',
      pathPrefix: '/a/b',
    });
  });

  it('reads from/to as UTC and ignores what does not parse', () => {
    expect(appliedFilter({ ...NO_FILTER, from: '2026-12-01T10:00', to: 'nope' })).toEqual({
      from: new Date('2026-12-01T10:00:00Z'),
    });
  });
});

describe('csvHref', () => {
  it('puts the side and every filter in the query, dates as ISO', () => {
    const href = csvHref('acme', 'provider', {
      status: '401',
      from: new Date('2026-12-01T10:00:00Z'),
    });
    const url = new URL(href, 'http://portal.test');
    expect(url.pathname).toBe('/api/orgs/acme/logs/csv');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      side: 'provider',
      status: '401',
      from: '2026-12-01T10:00:00.000Z',
    });
  });
});

describe('logSides', () => {
  it('offers the sides the org has, provider first', () => {
    expect(logSides(undefined)).toEqual([]);
    expect(logSides({ provider: {}, consumer: {} })).toEqual(['provider', 'consumer']);
    expect(logSides({ provider: {}, consumer: null })).toEqual(['provider']);
    expect(logSides({ provider: null, consumer: {} })).toEqual(['consumer']);
    expect(logSides({ provider: null, consumer: null })).toEqual(['consumer']);
  });
});
