import { describe, expect, it } from 'vitest';
import { readGatewayEnv } from './env.ts';

describe('readGatewayEnv', () => {
  it('applies defaults', () => {
    expect(readGatewayEnv({ DATABASE_URL: 'postgresql://x@h/db' })).toEqual({
      DATABASE_URL: 'postgresql://x@h/db',
      GATEWAY_PORT: 8080,
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_REDIS_KEY_PREFIX: 'portcullis:',
      GATEWAY_KEY_CACHE_TTL_MS: 30_000,
      USAGE_FLUSH_INTERVAL_MS: 500,
      GATEWAY_UPSTREAM_TIMEOUT_MS: 30_000,
    });
  });

  it('names the bad variable', () => {
    expect(() => readGatewayEnv({})).toThrow('DATABASE_URL: is required');
    expect(() => readGatewayEnv({ DATABASE_URL: 'postgresql://x@h/db', GATEWAY_PORT: 'abc' })).toThrow(
      /GATEWAY_PORT/,
    );
    expect(() => readGatewayEnv({ DATABASE_URL: 'postgresql://x@h/db', REDIS_URL: 'http://r' })).toThrow(
      /REDIS_URL/,
    );
  });

  it('treats an empty REDIS_URL as absent', () => {
    expect(readGatewayEnv({ DATABASE_URL: 'postgresql://x@h/db', REDIS_URL: '' }).REDIS_URL).toBeUndefined();
  });
});
