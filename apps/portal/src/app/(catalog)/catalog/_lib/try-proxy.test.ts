import { describe, expect, it } from 'vitest';
import {
  allowedHeaderName,
  forwardedHeaders,
  gatewayTarget,
  readCapped,
  sameOrigin,
  ZTryRequest,
} from './try-proxy';

const GATEWAY = 'http://127.0.0.1:8080';

describe('gatewayTarget', () => {
  it('puts the path and query under /{org}/{api} of the gateway', () => {
    const target = gatewayTarget(GATEWAY, 'acme', 'weather', '/forecast/oslo', [
      ['city', 'Oslo & Bergen'],
      ['days', '3'],
    ]);
    expect(target).toEqual({
      ok: true,
      url: new URL('http://127.0.0.1:8080/acme/weather/forecast/oslo?city=Oslo+%26+Bergen&days=3'),
    });
    expect(gatewayTarget(GATEWAY, 'acme', 'weather', '', [])).toMatchObject({
      ok: true,
      url: new URL('http://127.0.0.1:8080/acme/weather/'),
    });
  });

  it('keeps a base path of the gateway URL', () => {
    const target = gatewayTarget('https://api.example.com/gw/', 'acme', 'weather', '/x', []);
    expect(target.ok && target.url.href).toBe('https://api.example.com/gw/acme/weather/x');
  });

  it('never leaves the gateway origin or the API prefix (SSRF)', () => {
    const escapes = [
      '//evil.example/x',
      'http://evil.example/x',
      '@evil.example/x',
      '/../other-api/x',
      '/a/../../other',
      '/%2e%2e/other',
      '/%2E./other',
      '/a%2fb',
      '/a\\b',
      '/x?admin=1',
      '/x#frag',
      '/x y',
      '/x\0',
      '/.',
    ];
    for (const path of escapes) {
      const target = gatewayTarget(GATEWAY, 'acme', 'weather', path, []);
      expect(target.ok, path).toBe(false);
    }
    expect(gatewayTarget(GATEWAY, '../admin', 'weather', '/x', []).ok).toBe(false);
    expect(gatewayTarget(GATEWAY, 'acme', 'weather/../../x', '/x', []).ok).toBe(false);
    expect(gatewayTarget('file:///etc/passwd', 'acme', 'weather', '/x', []).ok).toBe(false);
  });

  it('encodes whatever the query holds instead of letting it change the URL', () => {
    const target = gatewayTarget(GATEWAY, 'acme', 'weather', '/x', [['q', '../../#@evil.example/?']]);
    expect(target.ok && target.url.origin).toBe(GATEWAY);
    expect(target.ok && target.url.pathname).toBe('/acme/weather/x');
    expect(target.ok && target.url.searchParams.get('q')).toBe('../../#@evil.example/?');
  });
});

describe('forwardedHeaders', () => {
  it('sends the key as a bearer token and drops identity, framing and forwarding headers', () => {
    const request = ZTryRequest.parse({
      method: 'POST',
      path: '/x',
      key: 'pk_live_abc',
      body: '{}',
      headers: [
        ['X-Trace', '1'],
        ['Authorization', 'Bearer someone-else'],
        ['Host', 'evil.example'],
        ['Cookie', 'session=1'],
        ['X-Forwarded-For', '10.0.0.1'],
        ['Content-Length', '5'],
        ['Sec-Fetch-Site', 'none'],
        ['Bad Header', 'x'],
        ['X-Split', 'a\r\nInjected: yes'],
      ],
    });
    const headers = forwardedHeaders(request);
    expect(Object.fromEntries(headers.entries())).toEqual({
      authorization: 'Bearer pk_live_abc',
      'content-type': 'application/json',
      'user-agent': 'portcullis-try-it',
      'x-trace': '1',
    });
  });

  it('keeps a content type the user chose and adds none without a body', () => {
    const withType = forwardedHeaders(
      ZTryRequest.parse({
        method: 'PUT',
        path: '/x',
        key: 'k',
        body: 'a=1',
        headers: [['content-type', 'text/plain']],
      }),
    );
    expect(withType.get('content-type')).toBe('text/plain');
    expect(
      forwardedHeaders(ZTryRequest.parse({ method: 'GET', path: '/x', key: 'k' })).has('content-type'),
    ).toBe(false);
    expect(allowedHeaderName('x-api-key')).toBe(false);
    expect(allowedHeaderName('Accept')).toBe(true);
  });

  it('requires a key and bounds the body', () => {
    expect(ZTryRequest.safeParse({ method: 'GET', path: '/x', key: ' ' }).success).toBe(false);
    expect(ZTryRequest.safeParse({ method: 'CONNECT', path: '/x', key: 'k' }).success).toBe(false);
    expect(
      ZTryRequest.safeParse({ method: 'POST', path: '/x', key: 'k', body: 'x'.repeat(300_000) }).success,
    ).toBe(false);
  });
});

describe('sameOrigin', () => {
  const request = (headers: Record<string, string>) =>
    new Request('http://portal.test/try', { method: 'POST', headers });

  it('accepts the portal’s own pages and refuses cross-site or origin-less posts', () => {
    expect(
      sameOrigin(
        request({ host: 'portal.test', origin: 'http://portal.test', 'sec-fetch-site': 'same-origin' }),
      ),
    ).toBe(true);
    expect(sameOrigin(request({ host: 'portal.test', origin: 'http://evil.example' }))).toBe(false);
    expect(
      sameOrigin(
        request({ host: 'portal.test', origin: 'http://portal.test', 'sec-fetch-site': 'cross-site' }),
      ),
    ).toBe(false);
    expect(sameOrigin(request({ host: 'portal.test' }))).toBe(false);
    expect(sameOrigin(request({ host: 'portal.test', origin: 'null' }))).toBe(false);
  });
});

describe('readCapped', () => {
  it('reads up to the limit and says when it cut', async () => {
    const stream = () => new Response('0123456789').body;
    expect(await readCapped(stream(), 100)).toEqual({ text: '0123456789', truncated: false, bytes: 10 });
    expect(await readCapped(stream(), 4)).toEqual({ text: '0123', truncated: true, bytes: 4 });
    expect(await readCapped(null, 4)).toEqual({ text: '', truncated: false, bytes: 0 });
  });
});
