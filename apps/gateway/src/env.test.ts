import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { cacheBudgetBytes, readGatewayEnv, tracingOptions } from './env.ts';

describe('readGatewayEnv', () => {
  it('applies defaults', () => {
    expect(readGatewayEnv({ DATABASE_URL: 'postgresql://x@h/db' })).toEqual({
      DATABASE_URL: 'postgresql://x@h/db',
      GATEWAY_PORT: 8080,
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_REDIS_KEY_PREFIX: 'portcullis:',
      GATEWAY_KEY_CACHE_TTL_MS: 30_000,
      GATEWAY_CONFIG_WAIT_MS: 1_000,
      GATEWAY_ROUTE_CACHE_MAX_BYTES: 16 * 1024 * 1024,
      GATEWAY_KEY_CACHE_MAX_BYTES: 8 * 1024 * 1024,
      GATEWAY_SUBSCRIPTION_CACHE_MAX_BYTES: 8 * 1024 * 1024,
      GATEWAY_QUOTA_CACHE_MAX_BYTES: 2 * 1024 * 1024,
      GATEWAY_AI_CONFIG_CACHE_MAX_BYTES: 2 * 1024 * 1024,
      GATEWAY_UNKNOWN_CACHE_MAX_BYTES: 2 * 1024 * 1024,
      GATEWAY_METRICS_TOP_APIS: 50,
      GATEWAY_METRICS_APIS: [],
      USAGE_FLUSH_INTERVAL_MS: 500,
      GATEWAY_UPSTREAM_TIMEOUT_MS: 30_000,
      GATEWAY_HEADERS_TIMEOUT_MS: 10_000, // upstreams
      GATEWAY_REQUEST_TIMEOUT_MS: 300_000, // upstreams
      GATEWAY_KEEP_ALIVE_TIMEOUT_MS: 5_000, // upstreams
      GATEWAY_ALLOWLIST_REFRESH_MS: 30_000, // upstreams
      GATEWAY_WORKERS: 1, // no Redis: in-memory counters, so one process
      GATEWAY_LOG_LEVEL: 'info',
      GATEWAY_LOG_RETENTION_DAYS: 30,
      GATEWAY_DRAIN_TIMEOUT_MS: 10_000,
      GATEWAY_DRAIN_DELAY_MS: 0,
      GATEWAY_TRUSTED_PROXIES: [], // policies
      GATEWAY_RESPONSE_CACHE_MAX_BYTES: 50 * 1024 * 1024, // policies
    });
  });

  it('reads the per-org host suffix as a bare lower-case DNS name and refuses anything else', () => {
    const base = { DATABASE_URL: 'postgresql://x@h/db' };
    expect(
      readGatewayEnv({ ...base, GATEWAY_ORG_HOST_SUFFIX: '.GW.Example.com' }).GATEWAY_ORG_HOST_SUFFIX,
    ).toBe('gw.example.com');
    expect(readGatewayEnv({ ...base, GATEWAY_ORG_HOST_SUFFIX: '' }).GATEWAY_ORG_HOST_SUFFIX).toBeUndefined();
    for (const bad of ['https://gw.example.com', 'gw example.com', '*.gw.example.com', 'gw.example.com/x']) {
      expect(() => readGatewayEnv({ ...base, GATEWAY_ORG_HOST_SUFFIX: bad }), bad).toThrow(
        /GATEWAY_ORG_HOST_SUFFIX: must be a DNS name/,
      );
    }
  });

  it('reads cache byte bounds and the metrics API list, naming a bad one', () => {
    const base = { DATABASE_URL: 'postgresql://x@h/db' };
    const env = readGatewayEnv({
      ...base,
      GATEWAY_KEY_CACHE_MAX_BYTES: '1048576',
      GATEWAY_METRICS_APIS: ' acme/weather , beta/maps',
    });
    expect(env.GATEWAY_KEY_CACHE_MAX_BYTES).toBe(1_048_576);
    expect(env.GATEWAY_METRICS_APIS).toEqual(['acme/weather', 'beta/maps']);
    expect(() => readGatewayEnv({ ...base, GATEWAY_UNKNOWN_CACHE_MAX_BYTES: '100' })).toThrow(
      /GATEWAY_UNKNOWN_CACHE_MAX_BYTES: must be at least 65536/,
    );
    expect(() => readGatewayEnv({ ...base, GATEWAY_ROUTE_CACHE_MAX_BYTES: 'lots' })).toThrow(
      /GATEWAY_ROUTE_CACHE_MAX_BYTES/,
    );
    expect(() => readGatewayEnv({ ...base, GATEWAY_METRICS_APIS: 'acme' })).toThrow(
      /GATEWAY_METRICS_APIS: must be comma-separated org\/api slugs/,
    );
    expect(() => readGatewayEnv({ ...base, GATEWAY_METRICS_TOP_APIS: '-1' })).toThrow(
      /GATEWAY_METRICS_TOP_APIS/,
    );
  });

  it('bounds the config wait of a request to 50 ms – 60 s', () => {
    const base = { DATABASE_URL: 'postgresql://x@h/db' };
    expect(readGatewayEnv({ ...base, GATEWAY_CONFIG_WAIT_MS: '250' }).GATEWAY_CONFIG_WAIT_MS).toBe(250);
    expect(() => readGatewayEnv({ ...base, GATEWAY_CONFIG_WAIT_MS: '0' })).toThrow(/GATEWAY_CONFIG_WAIT_MS/);
  });

  it('keeps the header timeout at 10 s or less and the request timeout 0 or at least 10 s', () => {
    const base = { DATABASE_URL: 'postgresql://x@h/db' };
    expect(readGatewayEnv({ ...base, GATEWAY_HEADERS_TIMEOUT_MS: '2000' }).GATEWAY_HEADERS_TIMEOUT_MS).toBe(
      2_000,
    );
    expect(() => readGatewayEnv({ ...base, GATEWAY_HEADERS_TIMEOUT_MS: '60000' })).toThrow(
      /GATEWAY_HEADERS_TIMEOUT_MS/,
    );
    expect(readGatewayEnv({ ...base, GATEWAY_REQUEST_TIMEOUT_MS: '0' }).GATEWAY_REQUEST_TIMEOUT_MS).toBe(0);
    expect(() => readGatewayEnv({ ...base, GATEWAY_REQUEST_TIMEOUT_MS: '5000' })).toThrow(
      /GATEWAY_REQUEST_TIMEOUT_MS/,
    );
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

  it('refuses a worker count below 1 and an unknown log level', () => {
    const base = { DATABASE_URL: 'postgresql://x@h/db' };
    expect(() => readGatewayEnv({ ...base, GATEWAY_WORKERS: '0' })).toThrow(/GATEWAY_WORKERS/);
    expect(() => readGatewayEnv({ ...base, GATEWAY_LOG_LEVEL: 'loud' })).toThrow(/GATEWAY_LOG_LEVEL/);
    expect(readGatewayEnv({ ...base, GATEWAY_WORKERS: '1' }).GATEWAY_WORKERS).toBe(1);
  });

  it('runs one process per CPU with Redis, and refuses several workers without it', () => {
    const base = { DATABASE_URL: 'postgresql://x@h/db' };
    const redis = { ...base, REDIS_URL: 'redis://127.0.0.1:6379' };
    expect(readGatewayEnv(redis).GATEWAY_WORKERS).toBe(availableParallelism());
    expect(readGatewayEnv({ ...redis, GATEWAY_WORKERS: '3' }).GATEWAY_WORKERS).toBe(3);
    expect(() => readGatewayEnv({ ...base, GATEWAY_WORKERS: '2' })).toThrow(
      'GATEWAY_WORKERS: must be 1 without REDIS_URL',
    );
  });

  it('parses GATEWAY_TRUSTED_PROXIES as CIDRs and names it when one is bad', () => {
    const base = { DATABASE_URL: 'postgresql://x@h/db' };
    expect(
      readGatewayEnv({ ...base, GATEWAY_TRUSTED_PROXIES: '10.0.0.0/8, ::1' }).GATEWAY_TRUSTED_PROXIES,
    ).toEqual(['10.0.0.0/8', '::1']);
    expect(() => readGatewayEnv({ ...base, GATEWAY_TRUSTED_PROXIES: '10.0.0.0/8,nope' })).toThrow(
      /GATEWAY_TRUSTED_PROXIES/,
    );
  });

  it('treats an empty REDIS_URL as absent', () => {
    expect(readGatewayEnv({ DATABASE_URL: 'postgresql://x@h/db', REDIS_URL: '' }).REDIS_URL).toBeUndefined();
  });
});

describe('REDIS_CLUSTER_NODES', () => {
  const base = { DATABASE_URL: 'postgresql://x@h/db' };
  it('parses comma-separated host:port pairs', () => {
    expect(
      readGatewayEnv({ ...base, REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b:7001' }).REDIS_CLUSTER_NODES,
    ).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b', port: 7001 },
    ]);
    expect(readGatewayEnv({ ...base, REDIS_CLUSTER_NODES: '' }).REDIS_CLUSTER_NODES).toBeUndefined();
  });
  it('refuses malformed lists, naming the variable', () => {
    for (const bad of ['10.0.0.1', 'a:1,,b:2', 'a:99999', 'a:x']) {
      expect(() => readGatewayEnv({ ...base, REDIS_CLUSTER_NODES: bad })).toThrow(/REDIS_CLUSTER_NODES/);
    }
  });

  describe('tracing (OpenTelemetry variables)', () => {
    const base = { DATABASE_URL: 'postgresql://x@h/db' };
    const traced = (vars: Record<string, string>) => tracingOptions(readGatewayEnv({ ...base, ...vars }));

    it('is off without an OTLP endpoint, or with an empty one', () => {
      expect(traced({})).toEqual({});
      expect(traced({ OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_SERVICE_NAME: 'x' })).toEqual({});
    });

    it('sends traces to <base>/v1/traces, or to the traces endpoint as it is', () => {
      expect(traced({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual({
        endpoint: 'http://collector:4318/v1/traces',
        serviceName: 'portcullis-gateway',
        sampler: 'parentbased_always_on',
        samplerRatio: 1,
      });
      expect(traced({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example.com/otlp/' }).endpoint).toBe(
        'https://otel.example.com/otlp/v1/traces',
      );
      expect(
        traced({
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:9999/custom',
        }).endpoint,
      ).toBe('http://traces:9999/custom');
    });

    it('reads the service name and sampler, and OTEL_SDK_DISABLED turns tracing off', () => {
      expect(
        traced({
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
          OTEL_SERVICE_NAME: 'edge-eu',
          OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
          OTEL_TRACES_SAMPLER_ARG: '0.25',
        }),
      ).toMatchObject({ serviceName: 'edge-eu', sampler: 'parentbased_traceidratio', samplerRatio: 0.25 });
      expect(
        traced({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'TRUE' }),
      ).toEqual({});
      expect(
        traced({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'false' }).endpoint,
      ).toBe('http://collector:4318/v1/traces');
    });

    it('refuses bad values, naming the variable', () => {
      const bad: Record<string, string> = {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'grpc://collector:4317',
        OTEL_TRACES_SAMPLER: 'sometimes',
        OTEL_TRACES_SAMPLER_ARG: '1.5',
        OTEL_SDK_DISABLED: 'yes',
      };
      for (const [name, value] of Object.entries(bad)) {
        expect(() => readGatewayEnv({ ...base, [name]: value }), name).toThrow(
          new RegExp(`Invalid configuration: ${name}:`),
        );
      }
    });
  });
});

describe('cache budgets against the heap limit', () => {
  const base = { DATABASE_URL: 'postgresql://x@h/db' };
  const MB = 1024 * 1024;

  it('adds up every in-process cache bound: the defaults hold at most 100 MB', () => {
    // 16 (routes) + 8 (keys) + 8 (subscriptions) + 2 (quota bases) + 2 × 2 (AI) + 6 × 2 (unknown) + 50 (responses)
    expect(cacheBudgetBytes(readGatewayEnv(base))).toBe(100 * MB);
  });

  it('refuses budgets over 60 % of the heap the process may use, naming what to change', () => {
    expect(() => readGatewayEnv(base, 192 * MB)).not.toThrow();
    expect(() => readGatewayEnv(base, 128 * MB)).toThrow(
      /GATEWAY_\*_CACHE_MAX_BYTES: the caches may hold 100 MB, more than 60 % of the 128 MB heap .*raise --max-old-space-size/,
    );
    const smaller = { ...base, GATEWAY_RESPONSE_CACHE_MAX_BYTES: String(10 * MB) };
    expect(() => readGatewayEnv(smaller, 128 * MB)).not.toThrow();
  });
});
