import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { type DeprecationSource, deprecationHeaders, setDeprecationHeaders } from './deprecation.ts';

const deprecatedAt = Date.UTC(2026, 0, 15, 12, 30, 45, 678);
const sunsetAt = Date.UTC(2026, 6, 1, 0, 0, 0);

describe('deprecationHeaders', () => {
  it('announces a deprecated API with RFC 9745 Deprecation and RFC 8594 Sunset', () => {
    const headers = deprecationHeaders({ status: 'DEPRECATED', deprecatedAt, sunsetAt });
    expect(headers).toEqual({
      // whole seconds, rounded down, prefixed with @ (an RFC 9651 Date)
      deprecation: `@${Math.floor(deprecatedAt / 1000)}`,
      sunset: 'Wed, 01 Jul 2026 00:00:00 GMT',
    });
    expect(headers.deprecation).toBe('@1768480245');
  });

  it('adds nothing for other statuses, even with dates set, or without a route', () => {
    for (const status of ['DRAFT', 'PUBLISHED', 'RETIRED'] as const) {
      expect(deprecationHeaders({ status, deprecatedAt, sunsetAt })).toEqual({});
    }
    expect(deprecationHeaders(null)).toEqual({});
    expect(deprecationHeaders(undefined)).toEqual({});
  });

  it('leaves out a header whose date is unknown', () => {
    expect(deprecationHeaders({ status: 'DEPRECATED', deprecatedAt: null, sunsetAt })).toEqual({
      sunset: 'Wed, 01 Jul 2026 00:00:00 GMT',
    });
    expect(deprecationHeaders({ status: 'DEPRECATED', deprecatedAt, sunsetAt: null })).toEqual({
      deprecation: '@1768480245',
    });
  });

  it('computes once per route snapshot and hands out frozen objects', () => {
    const route: DeprecationSource = { status: 'DEPRECATED', deprecatedAt, sunsetAt };
    const first = deprecationHeaders(route);
    expect(deprecationHeaders(route)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    // A reloaded snapshot with another date is a new object and gets its own headers.
    expect(deprecationHeaders({ ...route, sunsetAt: sunsetAt + 86_400_000 }).sunset).toBe(
      'Thu, 02 Jul 2026 00:00:00 GMT',
    );
  });
});

describe('setDeprecationHeaders', () => {
  const fakeResponse = (headersSent = false) => {
    const set: Record<string, string> = {};
    const res = {
      headersSent,
      setHeader: (name: string, value: string) => {
        set[name] = value;
      },
    };
    return { res: res as unknown as ServerResponse, set };
  };

  it('sets both headers on a response that has not started', () => {
    const { res, set } = fakeResponse();
    setDeprecationHeaders(res, { status: 'DEPRECATED', deprecatedAt, sunsetAt });
    expect(set).toEqual({ deprecation: '@1768480245', sunset: 'Wed, 01 Jul 2026 00:00:00 GMT' });
  });

  it('does nothing once headers were sent or when the API is not deprecated', () => {
    const sent = fakeResponse(true);
    setDeprecationHeaders(sent.res, { status: 'DEPRECATED', deprecatedAt, sunsetAt });
    expect(sent.set).toEqual({});
    const live = fakeResponse();
    setDeprecationHeaders(live.res, { status: 'PUBLISHED', deprecatedAt: null, sunsetAt: null });
    expect(live.set).toEqual({});
  });
});
