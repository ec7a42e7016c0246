import { describe, expect, it } from 'vitest';
import { callQuery, dateInput, endOfToday, NO_CALL_FILTER, usageRange } from './call-filter';

describe('callQuery', () => {
  it('sends only the filters set', () => {
    expect(callQuery('acme', NO_CALL_FILTER)).toEqual({ orgSlug: 'acme', limit: 50 });
    expect(callQuery('acme', { ...NO_CALL_FILTER, status: '  5xx ', model: 'fast' })).toEqual({
      orgSlug: 'acme',
      limit: 50,
      model: 'fast',
      status: '5xx',
    });
  });

  it('reads days as UTC and includes the whole last day', () => {
    const q = callQuery('acme', { ...NO_CALL_FILTER, from: '2026-12-01', to: '2026-12-03' });
    expect(q).toMatchObject({
      from: new Date('2026-12-01T00:00:00Z'),
      to: new Date('2026-12-04T00:00:00Z'),
    });
  });

  it('pages with the cursor', () => {
    const cursor = { at: new Date('2026-12-01T10:00:00Z'), id: 'c9' };
    expect(callQuery('acme', NO_CALL_FILTER, cursor)).toMatchObject({ cursor });
  });
});

describe('days', () => {
  it('ends today at the next UTC midnight and counts whole days back', () => {
    const to = endOfToday(Date.parse('2026-12-06T13:45:00Z'));
    expect(to.toISOString()).toBe('2026-12-07T00:00:00.000Z');
    expect(usageRange(to, 7).from.toISOString()).toBe('2026-11-30T00:00:00.000Z');
    expect(dateInput(new Date('2026-12-06T23:59:00Z'))).toBe('2026-12-06');
  });
});
