import { describe, expect, it } from 'vitest';
import {
  clientStatusFor,
  extractErrorFields,
  isRetryableStatus,
  mapUpstreamError,
  parseRetryAfter,
} from './errors.ts';

describe('parseRetryAfter', () => {
  it('reads seconds, HTTP dates and retry-after-ms', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter({ 'retry-after': '7' }, now)).toBe(7000);
    expect(parseRetryAfter({ 'retry-after': '0.5' }, now)).toBe(500);
    expect(parseRetryAfter({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }, now)).toBe(30_000);
    expect(parseRetryAfter({ 'retry-after-ms': '1500', 'retry-after': '9' }, now)).toBe(1500);
    expect(parseRetryAfter({ 'retry-after': 'soon' }, now)).toBeNull();
    expect(parseRetryAfter({}, now)).toBeNull();
  });
});

describe('extractErrorFields', () => {
  it('understands the error bodies of OpenAI-style servers', () => {
    expect(extractErrorFields('{"error":{"message":"m","type":"t","param":"p","code":"c"}}')).toEqual({
      message: 'm',
      type: 't',
      param: 'p',
      code: 'c',
    });
    expect(extractErrorFields('{"error":"model not found"}')).toEqual({ message: 'model not found' });
    const mistral =
      '{"object":"error","message":{"detail":[{"type":"extra_forbidden","loc":["body","stream_options"],"msg":"Extra inputs are not permitted"}]},"type":"invalid_request_error","param":null,"code":null}';
    expect(extractErrorFields(mistral)?.message).toBe('stream_options: Extra inputs are not permitted');
    expect(extractErrorFields('{"detail":"Not Found"}')).toEqual({ message: 'Not Found' });
    expect(extractErrorFields('<html>Bad gateway</html>')).toEqual({ message: '<html>Bad gateway</html>' });
  });
});

describe('mapUpstreamError', () => {
  it('keeps 429s as retryable rate-limit errors with their Retry-After', () => {
    const mapped = mapUpstreamError(429, { message: 'slow down' }, { 'retry-after': '2' });
    expect(mapped).toEqual({
      status: 429,
      body: {
        error: { message: 'slow down', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' },
      },
      retryable: true,
      retryAfterMs: 2000,
    });
  });

  it('passes 400s through as not retryable, with the upstream fields', () => {
    const mapped = mapUpstreamError(
      400,
      { message: 'bad', type: 'invalid_request_error', param: 'x', code: 'c' },
      {},
    );
    expect(mapped.retryable).toBe(false);
    expect(mapped.status).toBe(400);
    expect(mapped.body.error).toEqual({
      message: 'bad',
      type: 'invalid_request_error',
      param: 'x',
      code: 'c',
    });
  });

  it("turns the provider refusing the gateway's credential into a 502, never the client's 401", () => {
    const mapped = mapUpstreamError(401, { message: 'Incorrect API key', code: 'invalid_api_key' }, {});
    expect(mapped.status).toBe(502);
    expect(mapped.body.error.code).toBe('upstream_credentials_rejected');
    expect(mapped.body.error.message).toContain("rejected the gateway's credentials");
  });

  it("never passes on the provider's message about a refused credential, whatever key fragment it quotes", () => {
    const quoted =
      'Incorrect API key provided: sk-tenan**********************7890. You can find your API key at https://platform.openai.com/account/api-keys.';
    for (const status of [401, 403]) {
      const mapped = mapUpstreamError(status, { message: quoted, code: 'invalid_api_key' }, {});
      expect(mapped.body.error).toEqual({
        message: `The provider rejected the gateway's credentials for this model (HTTP ${status}); the API's owner has to renew or correct them.`,
        type: 'server_error',
        param: null,
        code: 'upstream_credentials_rejected',
      });
    }
    const flagged = mapUpstreamError(
      400,
      { message: 'API key not valid.' },
      {},
      { credentialRejected: true },
    );
    expect(flagged).toMatchObject({
      status: 502,
      body: { error: { code: 'upstream_credentials_rejected' } },
    });
  });

  it('scrubs key-like text from any other provider message it passes on', () => {
    const mapped = mapUpstreamError(
      400,
      { message: 'The key sk-live-0123456789abcdef does not allow gpt-5' },
      {},
    );
    expect(mapped.body.error.message).toBe('The key [redacted] does not allow gpt-5');
  });

  it('classifies statuses for retries and client statuses', () => {
    for (const status of [408, 409, 429, 500, 502, 503, 504, 529])
      expect(isRetryableStatus(status)).toBe(true);
    for (const status of [400, 401, 403, 404, 413, 422]) expect(isRetryableStatus(status)).toBe(false);
    expect(clientStatusFor(529)).toBe(503);
    expect(clientStatusFor(422)).toBe(400);
    expect(clientStatusFor(503)).toBe(503);
  });
});
