import { describe, expect, it } from 'vitest';
import { checkRoutable, orgFromHost, parseGatewayPath, unsafePathSegment } from './route.ts';

describe('parseGatewayPath', () => {
  it('splits org, api, rest and query', () => {
    expect(parseGatewayPath('/acme/weather/v1/forecast?city=Oslo&days=3')).toEqual({
      orgSlug: 'acme',
      apiSlug: 'weather',
      rest: '/v1/forecast',
      query: 'city=Oslo&days=3',
    });
  });

  it('keeps an empty rest and a trailing slash distinct', () => {
    expect(parseGatewayPath('/acme/weather')).toMatchObject({ rest: '', query: '' });
    expect(parseGatewayPath('/acme/weather/')).toMatchObject({ rest: '/' });
  });

  it.each([
    undefined,
    '',
    '/',
    '/acme',
    '/acme/',
    '//acme/weather',
    'http://evil.test/acme/weather',
    '/acme/wea ther/x',
    '/-acme/weather',
    '/acme/weather/../admin',
    '/acme/weather/a/%2e%2e/admin',
    '/acme/weather/a/%2E./admin',
    '/acme/weather/./x',
    '/acme/weather/a%2fb',
    '/acme/weather/a\\b',
    `/${'a'.repeat(101)}/weather`,
  ])('rejects malformed target %j', (target) => {
    expect(parseGatewayPath(target)).toBeNull();
  });

  it('accepts dots inside a segment', () => {
    expect(parseGatewayPath('/acme/files/report.v2..final.pdf')?.rest).toBe('/report.v2..final.pdf');
  });

  it('takes the org from the host when there is one: the path starts with the API', () => {
    expect(parseGatewayPath('/weather/v1/forecast?city=Oslo', 'acme')).toEqual({
      orgSlug: 'acme',
      apiSlug: 'weather',
      rest: '/v1/forecast',
      query: 'city=Oslo',
    });
    // another org named in the path is just an API slug of the host's org
    expect(parseGatewayPath('/other/weather/x', 'acme')).toMatchObject({ orgSlug: 'acme', apiSlug: 'other' });
    expect(parseGatewayPath('/', 'acme')).toBeNull();
  });
});

describe('unsafePathSegment', () => {
  it.each([
    ['/acme/api/..;/admin', '..;'],
    ['/acme/api/..;jsessionid=1/admin', '..;jsessionid=1'],
    ['/acme/api/.;/admin', '.;'],
    ['/acme/api/%2e%2e;/admin', '%2e%2e;'],
    ['/acme/api/%2e%2e%3b/admin', '%2e%2e%3b'],
    ['/acme/api/%2E.%3B/admin', '%2E.%3B'],
    ['/acme/api/%252e%252e%253b/admin', '%252e%252e%253b'],
    ['/acme/api/../admin', '..'],
    ['/acme/api/%2e/admin', '%2e'],
    ['/acme/api/..', '..'],
    ['/./acme/api', '.'],
  ])('finds %j', (path, segment) => {
    expect(unsafePathSegment(path)).toBe(segment);
  });

  it.each([
    '/acme/api/report.v2..final.pdf',
    '/acme/api/a..;b',
    '/acme/api/...',
    '/acme/api/%zz',
    '/acme/api/v1;x',
  ])('accepts %j', (path) => {
    expect(unsafePathSegment(path)).toBeNull();
  });
});

describe('orgFromHost', () => {
  it('names the org of a host under the suffix, with or without a port', () => {
    expect(orgFromHost('acme.gw.example.com', 'gw.example.com')).toBe('acme');
    expect(orgFromHost('ACME.gw.example.com:8443', 'gw.example.com')).toBe('acme');
    expect(orgFromHost('acme.gw.example.com.', 'gw.example.com')).toBe('acme');
  });

  it('is undefined for other hosts and without a suffix; null for more than one label', () => {
    expect(orgFromHost('gw.example.com', 'gw.example.com')).toBeUndefined();
    expect(orgFromHost('127.0.0.1:8080', 'gw.example.com')).toBeUndefined();
    expect(orgFromHost('acme.evilgw.example.com', 'gw.example.com')).toBeUndefined();
    expect(orgFromHost('[::1]:8080', 'gw.example.com')).toBeUndefined();
    expect(orgFromHost('acme.gw.example.com', undefined)).toBeUndefined();
    expect(orgFromHost(undefined, 'gw.example.com')).toBeUndefined();
    expect(orgFromHost('a.b.gw.example.com', 'gw.example.com')).toBeNull();
    expect(orgFromHost('-x.gw.example.com', 'gw.example.com')).toBeNull();
  });
});

describe('checkRoutable', () => {
  const target = { apiId: 'api1', orgId: 'org1', upstreamUrl: 'http://u.test' };

  it('routes PUBLISHED and DEPRECATED APIs', () => {
    expect(checkRoutable({ ...target, status: 'PUBLISHED' }).ok).toBe(true);
    expect(checkRoutable({ ...target, status: 'DEPRECATED' }).ok).toBe(true);
  });

  it('hides DRAFT and unknown APIs and marks RETIRED ones', () => {
    expect(checkRoutable({ ...target, status: 'DRAFT' })).toEqual({
      ok: false,
      error: { code: 'route_not_found' },
    });
    expect(checkRoutable(null)).toEqual({ ok: false, error: { code: 'route_not_found' } });
    expect(checkRoutable({ ...target, status: 'RETIRED' })).toEqual({
      ok: false,
      error: { code: 'api_retired', apiId: 'api1' },
    });
  });
});
