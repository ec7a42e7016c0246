import { describe, expect, it } from 'vitest';
import { readGatewayEnv } from '../src/env.ts';
import { runGatewayToExit, spawnGateway } from './child-gateway.ts';
import { call } from './harness.ts';

describe('gateway CLI', () => {
  it('refuses to start without DATABASE_URL, naming the variable, without a stack trace', async () => {
    const { code, output } = await runGatewayToExit({});
    expect(code).toBe(78);
    expect(output.trim()).toBe('Invalid configuration: DATABASE_URL: is required');
  });

  it('refuses a bad GATEWAY_PORT and a bad REDIS_URL', async () => {
    const databaseUrl = readGatewayEnv().DATABASE_URL;
    const port = await runGatewayToExit({ DATABASE_URL: databaseUrl, GATEWAY_PORT: 'eighty' });
    expect(port.code).toBe(78);
    expect(port.output).toMatch(/^Invalid configuration: GATEWAY_PORT: /);
    const redis = await runGatewayToExit({ DATABASE_URL: databaseUrl, REDIS_URL: 'localhost:6379' });
    expect(redis.code).toBe(78);
    expect(redis.output).toMatch(/^Invalid configuration: REDIS_URL: /);
  });

  it('starts without REDIS_URL, says counters are in memory, serves, and exits 0 on SIGINT', async () => {
    const gateway = await spawnGateway({ DATABASE_URL: readGatewayEnv().DATABASE_URL, GATEWAY_PORT: '0' });
    try {
      expect(gateway.output()).toContain('REDIS_URL is not set: rate-limit and quota counters are IN MEMORY');
      expect(gateway.output()).toContain('"limitStore":"memory"');
      expect((await call(gateway.url, '/readyz')).status).toBe(200);
      const missing = await call(gateway.url, '/no/such-api/x');
      expect(missing.status).toBe(404);
      expect(missing.json().code).toBe('route_not_found');
    } finally {
      expect(await gateway.stop('SIGINT')).toBe(0);
    }
  });
});
