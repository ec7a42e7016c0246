import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { internalHeaders, newInternalSecret, takeInternalCall } from './internal.ts';

const secret = newInternalSecret();

describe('takeInternalCall', () => {
  it("believes the tool, client address, host and protocol only with the gateway's secret", () => {
    const origin = { clientIp: '203.0.113.9', host: 'api.example.com', proto: 'https' as const };
    const headers: IncomingHttpHeaders = { ...internalHeaders(secret, 'getItem', origin), accept: '*/*' };
    expect(takeInternalCall(headers, secret)).toEqual({ tool: 'getItem', ...origin });
    expect(headers).toEqual({ accept: '*/*' });
  });

  it('ignores a forged tool (wrong, missing or repeated secret) and still removes every mark', () => {
    for (const presented of [newInternalSecret(), undefined, [secret, secret]]) {
      const headers: IncomingHttpHeaders = {
        'x-portcullis-mcp-tool': 'getItem',
        'x-portcullis-client-ip': '10.0.0.1',
        'x-portcullis-host': 'forged.example',
        'x-portcullis-proto': 'https',
        ...(presented === undefined ? {} : { 'x-portcullis-internal': presented }),
      };
      expect(takeInternalCall(headers, secret)).toBeNull();
      expect(headers).toEqual({});
    }
  });

  it('refuses a tool name MCP does not allow, even with the secret', () => {
    const origin = { clientIp: null, host: undefined, proto: 'http' as const };
    const headers: IncomingHttpHeaders = internalHeaders(secret, 'bad name\n', origin);
    expect(takeInternalCall(headers, secret)).toBeNull();
  });

  it('removes a mark sent alone', () => {
    const headers: IncomingHttpHeaders = { 'x-portcullis-host': 'forged.example', accept: '*/*' };
    expect(takeInternalCall(headers, secret)).toBeNull();
    expect(headers).toEqual({ accept: '*/*' });
  });
});
