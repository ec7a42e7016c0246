import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { internalHeaders, newInternalSecret, takeInternalCall } from './internal.ts';

const secret = newInternalSecret();

describe('takeInternalCall', () => {
  it("believes the tool and client address only with the gateway's secret", () => {
    const headers: IncomingHttpHeaders = {
      ...internalHeaders(secret, 'getItem', '203.0.113.9'),
      accept: '*/*',
    };
    expect(takeInternalCall(headers, secret)).toEqual({ tool: 'getItem', clientIp: '203.0.113.9' });
    expect(headers).toEqual({ accept: '*/*' });
  });

  it('ignores a forged tool (wrong, missing or repeated secret) and still removes every mark', () => {
    for (const presented of [newInternalSecret(), undefined, [secret, secret]]) {
      const headers: IncomingHttpHeaders = {
        'x-portcullis-mcp-tool': 'getItem',
        'x-portcullis-client-ip': '10.0.0.1',
        ...(presented === undefined ? {} : { 'x-portcullis-internal': presented }),
      };
      expect(takeInternalCall(headers, secret)).toBeNull();
      expect(headers).toEqual({});
    }
  });

  it('refuses a tool name MCP does not allow, even with the secret', () => {
    const headers: IncomingHttpHeaders = internalHeaders(secret, 'bad name\n', null);
    expect(takeInternalCall(headers, secret)).toBeNull();
  });
});
