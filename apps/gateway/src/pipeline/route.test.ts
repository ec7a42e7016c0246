import { describe, expect, it } from 'vitest';
import {
  checkRoutable,
  joinUpstreamPath,
  orgFromHost,
  parseGatewayPath,
  splitVersion,
  unsafePathSegment,
} from './route.ts';

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

describe('joinUpstreamPath', () => {
  it('joins a base path, the rest and the query', () => {
    expect(joinUpstreamPath('/base/', '/v1/items', 'a=1')).toBe('/base/v1/items?a=1');
    expect(joinUpstreamPath('/base', '/v1/items', '')).toBe('/base/v1/items');
  });

  it('falls back to the root when both are empty', () => {
    expect(joinUpstreamPath('/', '', '')).toBe('/');
    expect(joinUpstreamPath('/', '', 'q=1')).toBe('/?q=1');
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

describe('splitVersion', () => {
  const versions = { v1: [], v2: [], '2024-01': [] };

  it('routes to a configured version and strips its segment', () => {
    expect(splitVersion('/v2/items/7', versions)).toEqual({ version: 'v2', rest: '/items/7' });
    expect(splitVersion('/v1', versions)).toEqual({ version: 'v1', rest: '' });
    expect(splitVersion('/v1/', versions)).toEqual({ version: 'v1', rest: '/' });
    expect(splitVersion('/2024-01/x', versions)).toEqual({ version: '2024-01', rest: '/x' });
  });

  it('leaves other paths on the default targets, unchanged', () => {
    expect(splitVersion('/v3/items', versions)).toEqual({ version: null, rest: '/v3/items' });
    expect(splitVersion('/items/v2', versions)).toEqual({ version: null, rest: '/items/v2' });
    expect(splitVersion('', versions)).toEqual({ version: null, rest: '' });
    expect(splitVersion('/', versions)).toEqual({ version: null, rest: '/' });
    expect(splitVersion('/V2/items', versions)).toEqual({ version: null, rest: '/V2/items' });
    expect(splitVersion('/v2/items', {})).toEqual({ version: null, rest: '/v2/items' });
    // inherited object keys are not versions
    expect(splitVersion('/constructor/x', versions)).toEqual({ version: null, rest: '/constructor/x' });
  });
});
