import { describe, expect, it } from 'vitest';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './headers.ts';

const info = { clientIp: '10.0.0.9', proto: 'http' as const, host: 'gw.test', requestId: 'req-12345678' };

describe('upstreamRequestHeaders', () => {
  it('strips credentials, hop-by-hop headers and headers named by Connection', () => {
    const out = upstreamRequestHeaders(
      {
        authorization: 'Bearer pk_live_secret',
        'x-api-key': 'pk_live_secret',
        connection: 'keep-alive, x-hop',
        'keep-alive': 'timeout=5',
        'proxy-authorization': 'Basic abc',
        'proxy-foo': 'bar',
        te: 'trailers',
        trailer: 'x-sum',
        'transfer-encoding': 'chunked',
        upgrade: 'websocket',
        'x-hop': 'drop me',
        expect: '100-continue',
        host: 'gw.test',
        'content-type': 'application/json',
        'x-custom': 'keep me',
      },
      info,
    );
    expect(out).toEqual({
      'content-type': 'application/json',
      'x-custom': 'keep me',
      'x-forwarded-for': '10.0.0.9',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'gw.test',
      'x-request-id': 'req-12345678',
    });
  });

  describe('W3C trace context', () => {
    const client = {
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      tracestate: 'vendor=abc,other=1',
    };

    it("passes the client's traceparent and tracestate through unchanged when tracing is off", () => {
      const out = upstreamRequestHeaders({ ...client, 'x-custom': '1' }, info);
      expect(out).toMatchObject(client);
    });

    it("names the gateway's span as parent when tracing is on, keeping the client's tracestate", () => {
      const gateway = '00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01';
      const out = upstreamRequestHeaders(client, { ...info, traceparent: gateway });
      expect(out).toMatchObject({ traceparent: gateway, tracestate: 'vendor=abc,other=1' });
    });

    it("drops the client's tracestate when the gateway started a new trace", () => {
      const gateway = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
      const out = upstreamRequestHeaders(
        { traceparent: 'garbage', tracestate: 'vendor=abc' },
        { ...info, traceparent: gateway },
      );
      expect(out.traceparent).toBe(gateway);
      expect(out).not.toHaveProperty('tracestate');
    });
  });

  it('appends the client to an existing x-forwarded-for chain and replaces x-request-id', () => {
    const out = upstreamRequestHeaders({ 'x-forwarded-for': '1.2.3.4', 'x-request-id': 'spoofed' }, info);
    expect(out['x-forwarded-for']).toBe('1.2.3.4, 10.0.0.9');
    expect(out['x-request-id']).toBe('req-12345678');
  });
});

describe('downstreamResponseHeaders', () => {
  it('drops hop-by-hop headers from the upstream response', () => {
    expect(
      downstreamResponseHeaders({
        connection: 'close',
        'transfer-encoding': 'chunked',
        'keep-alive': 'timeout=5',
        'content-type': 'text/plain',
        'set-cookie': ['a=1', 'b=2'],
      }),
    ).toEqual({ 'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2'] });
  });

  it('drops the headers the Connection header names, and only those', () => {
    expect(
      downstreamResponseHeaders({ connection: 'X-Trace', 'x-trace': '1', close: 'x', etag: '"e"' }),
    ).toEqual({ close: 'x', etag: '"e"' });
    expect(downstreamResponseHeaders({ connection: 'close', close: 'x', etag: '"e"' })).toEqual({
      etag: '"e"',
    });
    expect(downstreamResponseHeaders({ connection: 'keep-alive', 'x-trace': '1' })).toEqual({
      'x-trace': '1',
    });
  });
});
