import { ZCorsPolicy } from '@portcullis/core/policies';
import { describe, expect, it } from 'vitest';
import { corsResponseHeaders, decidePreflight, isPreflight } from './cors.ts';

const policy = (over: Record<string, unknown>) => ZCorsPolicy.parse({ enabled: true, ...over });
const preflight = (origin: string, method = 'POST', requestHeaders?: string) => ({
  origin,
  'access-control-request-method': method,
  ...(requestHeaders ? { 'access-control-request-headers': requestHeaders } : {}),
});

describe('isPreflight', () => {
  it('needs OPTIONS, Origin and Access-Control-Request-Method', () => {
    expect(isPreflight('OPTIONS', preflight('https://a.test'))).toBe(true);
    expect(isPreflight('OPTIONS', { origin: 'https://a.test' })).toBe(false);
    expect(isPreflight('POST', preflight('https://a.test'))).toBe(false);
  });
});

describe('decidePreflight', () => {
  it('answers an allowed origin with methods, headers and max-age', () => {
    const decision = decidePreflight(
      policy({ allowOrigins: ['https://a.test'] }),
      preflight('https://a.test', 'post', 'Content-Type, Authorization'),
    );
    expect(decision).toEqual({
      allowed: true,
      headers: expect.objectContaining({
        'access-control-allow-origin': 'https://a.test',
        'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE',
        'access-control-allow-headers': 'authorization, content-type, x-api-key',
        'access-control-max-age': '600',
        vary: expect.stringContaining('Origin'),
      }),
    });
  });
  it('refuses unknown origins, methods and headers', () => {
    const p = policy({ allowOrigins: ['https://a.test'], allowMethods: ['GET'] });
    expect(decidePreflight(p, preflight('https://evil.test', 'GET')).allowed).toBe(false);
    expect(decidePreflight(p, preflight('https://a.test', 'DELETE')).allowed).toBe(false);
    expect(decidePreflight(p, preflight('https://a.test', 'GET', 'x-secret')).allowed).toBe(false);
    expect(
      decidePreflight(policy({ enabled: false, allowOrigins: ['*'] }), preflight('https://a.test')).allowed,
    ).toBe(false);
  });
  it('never combines * with credentials: it echoes the origin instead', () => {
    const open = decidePreflight(policy({ allowOrigins: ['*'] }), preflight('https://a.test'));
    expect(open.allowed && open.headers['access-control-allow-origin']).toBe('*');
    const withCredentials = decidePreflight(
      policy({ allowOrigins: ['*'], allowCredentials: true }),
      preflight('https://a.test'),
    );
    expect(withCredentials.allowed && withCredentials.headers).toMatchObject({
      'access-control-allow-origin': 'https://a.test',
      'access-control-allow-credentials': 'true',
    });
  });
});

describe('corsResponseHeaders', () => {
  it('adds allow-origin, credentials and expose-headers for an allowed origin only', () => {
    const p = policy({
      allowOrigins: ['https://a.test'],
      allowCredentials: true,
      exposeHeaders: ['x-trace'],
    });
    expect(corsResponseHeaders(p, { origin: 'https://a.test' })).toEqual({
      'access-control-allow-origin': 'https://a.test',
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'x-trace',
      vary: 'Origin',
    });
    expect(corsResponseHeaders(p, { origin: 'https://b.test' })).toBeNull();
    expect(corsResponseHeaders(p, {})).toBeNull();
  });
});
