import { describe, expect, it } from 'vitest';
import { MeteringConfigError, readMeteringEnv } from './env.ts';

const base = { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/x', REDIS_URL: 'redis://127.0.0.1:6379' };

describe('readMeteringEnv', () => {
  it('applies the documented defaults', () => {
    const env = readMeteringEnv(base);
    expect(env).toMatchObject({
      METERING_BATCH_SIZE: 5_000,
      METERING_CLAIM_IDLE_MS: 30_000,
      USAGE_EVENT_RETENTION_DAYS: 35,
      METERING_REDIS_KEY_PREFIX: 'portcullis:',
    });
    expect(env.METERING_METRICS_PORT).toBeUndefined();
    expect(readMeteringEnv({ ...base, METERING_METRICS_PORT: '' }).METERING_METRICS_PORT).toBeUndefined();
    expect(readMeteringEnv({ ...base, METERING_METRICS_PORT: '9464' }).METERING_METRICS_PORT).toBe(9464);
    expect(env.METERING_CONSUMER_NAME).toMatch(/^[A-Za-z0-9._:-]+$/);
    expect(env).toMatchObject({
      METERING_IN_FLIGHT_BOUND_MS: 600_000,
      METERING_WATERMARK_INTERVAL_MS: 5_000,
      BILLING_SETTLE_MS: 600_000,
      BILLING_WATERMARK_STALE_MS: 120_000,
      BILLING_GATEWAY_GIVE_UP_MS: 3_600_000,
    });
  });

  it('accepts a cluster instead of a single Redis', () => {
    const env = readMeteringEnv({ DATABASE_URL: base.DATABASE_URL, REDIS_CLUSTER_NODES: 'a:7000, b:7001' });
    expect(env.REDIS_CLUSTER_NODES).toEqual([
      { host: 'a', port: 7000 },
      { host: 'b', port: 7001 },
    ]);
  });

  it('runs without Redis (billing jobs only) and reads an encryption key', () => {
    const env = readMeteringEnv({
      DATABASE_URL: base.DATABASE_URL,
      PORTCULLIS_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    });
    expect(env.REDIS_URL).toBeUndefined();
    expect(env.PORTCULLIS_ENCRYPTION_KEY?.length).toBe(32);
  });

  it.each([
    [{ ...base, DATABASE_URL: undefined }, 'DATABASE_URL', /required/],
    [{ ...base, DATABASE_URL: 'mysql://x' }, 'DATABASE_URL', /postgres/],
    [{ ...base, PORTCULLIS_ENCRYPTION_KEY: 'too-short' }, 'PORTCULLIS_ENCRYPTION_KEY', /32 random bytes/],
    [{ ...base, STRIPE_API_BASE: 'ftp://x' }, 'STRIPE_API_BASE', /http/],
    [{ ...base, REDIS_URL: 'http://x' }, 'REDIS_URL', /redis/],
    [{ ...base, METERING_BATCH_SIZE: '0' }, 'METERING_BATCH_SIZE', /./],
    [{ ...base, METERING_BATCH_SIZE: 'lots' }, 'METERING_BATCH_SIZE', /./],
    [{ ...base, METERING_CLAIM_IDLE_MS: '10' }, 'METERING_CLAIM_IDLE_MS', /./],
    [{ ...base, USAGE_EVENT_RETENTION_DAYS: '0' }, 'USAGE_EVENT_RETENTION_DAYS', /./],
    [{ ...base, METERING_METRICS_PORT: '70000' }, 'METERING_METRICS_PORT', /./],
    [{ ...base, METERING_CONSUMER_NAME: 'has space' }, 'METERING_CONSUMER_NAME', /characters/],
    [{ ...base, REDIS_CLUSTER_NODES: 'nohostport' }, 'REDIS_CLUSTER_NODES', /host:port/],
    [{ ...base, METERING_IN_FLIGHT_BOUND_MS: '10' }, 'METERING_IN_FLIGHT_BOUND_MS', /./],
    [{ ...base, BILLING_GATEWAY_GIVE_UP_MS: 'soon' }, 'BILLING_GATEWAY_GIVE_UP_MS', /./],
  ])('refuses bad configuration, naming the variable (%#)', (source, variable, message) => {
    try {
      readMeteringEnv(source as NodeJS.ProcessEnv);
      expect.unreachable('should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(MeteringConfigError);
      expect((error as MeteringConfigError).variable).toBe(variable);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toContain(variable);
    }
  });
});
