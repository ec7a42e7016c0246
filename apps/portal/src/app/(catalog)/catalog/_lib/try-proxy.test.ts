import { describe, expect, it } from 'vitest';
import {
  allowedHeaderName,
  consoleRequestPath,
  forwardedHeaders,
  gatewayTarget,
  readCapped,
  returnedHeaders,
  sameOrigin,
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

describe('consoleRequestPath', () => {
  const BASE = 'https://gw.example/acme/weather/';

  it('takes the path and query under the API base URL', () => {
    expect(consoleRequestPath('https://gw.example/acme/weather/forecast?city=Oslo&days=3', BASE)).toEqual({
      ok: true,
      path: '/forecast',
      query: [
        ['city', 'Oslo'],
        ['days', '3'],
      ],
    });
    expect(consoleRequestPath('https://gw.example/acme/weather', BASE)).toMatchObject({
      ok: true,
      path: '/',
    });
  });

  it('refuses another origin, another API, credentials and non-URLs', () => {
    for (const url of [
      'https://evil.example/acme/weather/x',
      'http://gw.example/acme/weather/x',
      'https://gw.example/acme/weatherx/x',
      'https://gw.example/acme/other/x',
      'https://gw.example/acme/weather/../other/x',
      'https://user:pw@gw.example/acme/weather/x',
      'file:///etc/passwd',
      'not a url',
      null,
    ]) {
      expect(consoleRequestPath(url, BASE).ok, String(url)).toBe(false);
    }
  });
});

describe('forwardedHeaders', () => {
  it('sends the bearer key and drops identity, framing, cookie and forwarding headers', () => {
    const incoming = new Headers([
      ['X-Trace', '1'],
      ['Authorization', 'Bearer pk_live_abc'],
      ['Host', 'evil.example'],
      ['Cookie', 'session=1'],
      ['X-Scalar-Cookie', 'session=1'],
      ['X-Forwarded-For', '10.0.0.1'],
      ['Content-Length', '5'],
      ['Sec-Fetch-Site', 'none'],
      ['Origin', 'http://portal.test'],
      ['Referer', 'http://portal.test/catalog'],
      ['Set-Cookie', 'authjs.session-token=secret'],
      ['Content-Security-Policy', "default-src 'self'"],
      ['X-Nonce', 'n0nce'],
      ['X-Portcullis-Client-Address', '127.0.0.1 sig'],
      ['X-Middleware-Rewrite', '/x'],
    ]);
    expect(Object.fromEntries(forwardedHeaders(incoming, true).entries())).toEqual({
      authorization: 'Bearer pk_live_abc',
      'content-type': 'application/json',
      'user-agent': 'portcullis-try-it',
      'x-trace': '1',
    });
  });

  it('keeps a chosen content type, adds none without a body, and passes no malformed authorization', () => {
    const withType = forwardedHeaders(new Headers({ 'content-type': 'text/plain' }), true);
    expect(withType.get('content-type')).toBe('text/plain');
    expect(forwardedHeaders(new Headers(), false).has('content-type')).toBe(false);
    expect(forwardedHeaders(new Headers({ authorization: 'Basic dTpw' }), false).has('authorization')).toBe(
      false,
    );
    expect(allowedHeaderName('x-api-key')).toBe(false);
    expect(allowedHeaderName('Accept')).toBe(true);
  });
});

describe('returnedHeaders', () => {
  it('drops cookies and framing, and sandboxes what the portal serves for the gateway', () => {
    const headers = returnedHeaders(
      new Headers({
        'content-type': 'text/html',
        'set-cookie': 'a=1',
        'content-encoding': 'gzip',
        'content-length': '10',
        'x-request-id': 'r1',
      }),
    );
    expect(headers.get('set-cookie')).toBeNull();
    expect(headers.get('content-encoding')).toBeNull();
    expect(headers.get('content-length')).toBeNull();
    expect(headers.get('x-request-id')).toBe('r1');
    expect(headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
    expect(headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('sameOrigin', () => {
  const request = (headers: Record<string, string>, method = 'POST') =>
    new Request('http://portal.test/try', { method, headers });

  it('accepts the portal’s own pages and refuses cross-site or unattributed requests', () => {
    expect(
      sameOrigin(
        request({ host: 'portal.test', origin: 'http://portal.test', 'sec-fetch-site': 'same-origin' }),
      ),
    ).toBe(true);
    // A same-origin GET carries no Origin: Sec-Fetch-Site, else the Referer, vouches for it.
    expect(sameOrigin(request({ host: 'portal.test', 'sec-fetch-site': 'same-origin' }, 'GET'))).toBe(true);
    expect(
      sameOrigin(request({ host: 'portal.test', referer: 'http://portal.test/catalog/a/b' }, 'GET')),
    ).toBe(true);
    expect(sameOrigin(request({ host: 'portal.test', origin: 'http://evil.example' }))).toBe(false);
    expect(sameOrigin(request({ host: 'portal.test', referer: 'http://evil.example/x' }, 'GET'))).toBe(false);
    expect(
      sameOrigin(
        request({ host: 'portal.test', origin: 'http://portal.test', 'sec-fetch-site': 'cross-site' }),
      ),
    ).toBe(false);
    expect(sameOrigin(request({ host: 'portal.test', 'sec-fetch-site': 'same-site' }, 'GET'))).toBe(false);
    expect(sameOrigin(request({ host: 'portal.test' }))).toBe(false);
    expect(sameOrigin(request({ host: 'portal.test', origin: 'null' }))).toBe(false);
  });
});

describe('readCapped', () => {
  it('reads up to the limit and says when it cut', async () => {
    const stream = () => new Response('0123456789').body;
    const text = (r: { data: Uint8Array }) => new TextDecoder().decode(r.data);
    const all = await readCapped(stream(), 100);
    expect([text(all), all.truncated, all.bytes]).toEqual(['0123456789', false, 10]);
    const cut = await readCapped(stream(), 4);
    expect([text(cut), cut.truncated, cut.bytes]).toEqual(['0123', true, 4]);
    expect((await readCapped(null, 4)).bytes).toBe(0);
  });
});
