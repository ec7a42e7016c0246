import type { IncomingMessage } from 'node:http';
import { parseApiPolicies, parseUpstreamConfig } from '@portcullis/core/policies';
import { describe, expect, it } from 'vitest';
import type { RouteRecord } from '../config/repository.ts';
import { mediaType, upstreamHeaders } from './forward.ts';

const route = (policies: unknown = {}): RouteRecord => ({
  apiId: 'api_1',
  orgId: 'org_1',
  status: 'PUBLISHED',
  upstreamUrl: 'https://mcp.example.com/mcp',
  upstream: parseUpstreamConfig({}),
  policies: parseApiPolicies(policies),
  openapiSpec: null,
  deprecatedAt: null,
  sunsetAt: null,
  kind: 'MCP',
});

const request = (headers: Record<string, string>) =>
  ({ headers, socket: { remoteAddress: '10.0.0.1' } }) as unknown as IncomingMessage;

describe('upstreamHeaders', () => {
  const incoming = {
    authorization: 'Bearer pk_live_secret',
    'x-api-key': 'pk_live_secret',
    'mcp-session-id': 'mcp_gateway_id',
    'mcp-protocol-version': '2025-06-18',
    'content-type': 'application/json',
    'content-length': '42',
    accept: 'application/json, text/event-stream',
    host: 'gateway.example.com',
  };

  it("drops the consumer's key and swaps the gateway's session id for the upstream's", () => {
    const headers = upstreamHeaders(request(incoming), route(), { requestId: 'req-1' }, 'upstream-session');
    expect(headers.authorization).toBeUndefined();
    expect(headers['x-api-key']).toBeUndefined();
    expect(headers['content-length']).toBeUndefined();
    expect(headers['mcp-session-id']).toBe('upstream-session');
    expect(headers['mcp-protocol-version']).toBe('2025-06-18');
    expect(headers.accept).toBe('application/json, text/event-stream');
    expect(headers['x-request-id']).toBe('req-1');
  });

  it("sends no session id before there is one, and applies the API's header transform", () => {
    const headers = upstreamHeaders(
      request(incoming),
      route({ requestHeaders: { add: { 'x-upstream-token': 't0ken' }, remove: ['accept'] } }),
      { requestId: 'req-2' },
      undefined,
    );
    expect(headers['mcp-session-id']).toBeUndefined();
    expect(headers['x-upstream-token']).toBe('t0ken');
    expect(headers.accept).toBeUndefined();
  });
});

describe('mediaType', () => {
  it('is the lower-cased essence of a content type', () => {
    expect(mediaType('Text/Event-Stream; charset=utf-8')).toBe('text/event-stream');
    expect(mediaType(undefined)).toBe('');
  });
});
