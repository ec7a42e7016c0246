import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConsumerWithKey, seedProviderWithApi } from '../../../test/fixtures.ts';
import { createLogging } from '../src/log.ts';
import { bearer, call, eventually, startWorld, type TestWorld } from './harness.ts';

/** A pino destination that keeps the lines it receives. */
function memoryDestination() {
  const lines: Record<string, unknown>[] = [];
  return {
    lines,
    write(line: string) {
      for (const part of line.split('\n')) if (part) lines.push(JSON.parse(part) as Record<string, unknown>);
    },
  };
}

describe('gateway operations: /metrics, access log, readiness while draining', () => {
  let world: TestWorld;
  const out = memoryDestination();
  let apiPath: string;
  let api: string;
  let key: string;
  let keyId: string;

  beforeAll(async () => {
    const logging = createLogging('info', out);
    world = await startWorld({ redis: true, log: logging.log, accessLog: logging.accessLog });
    const provider = await seedProviderWithApi(world.db, {
      upstreamUrl: world.upstream.url,
      rateLimit: 1000,
    });
    const consumer = await seedConsumerWithKey(world.db, provider.plan.id);
    api = `${provider.org.slug}/${provider.api.slug}`;
    apiPath = `/${api}`;
    key = consumer.plaintext;
    keyId = consumer.apiKey.id;
  });
  afterAll(async () => {
    await world?.close();
  });

  it('counts requests by API and status, with latency histograms, process metrics and in-flight', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await call(world.gateway.url, `${apiPath}/ok`, { headers: bearer(key) })).status).toBe(200);
    }
    expect((await call(world.gateway.url, `${apiPath}/status/503`, { headers: bearer(key) })).status).toBe(
      503,
    );
    expect((await call(world.gateway.url, `${apiPath}/nokey`)).status).toBe(401);
    expect((await call(world.gateway.url, '/no-such-org/no-such-api/x')).status).toBe(404);

    const res = await call(world.gateway.url, '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.text;
    expect(text).toContain(`gateway_requests_total{api="${api}",status="200"} 3`);
    expect(text).toContain(`gateway_requests_total{api="${api}",status="503"} 1`);
    expect(text).toContain(`gateway_requests_total{api="${api}",status="401"} 1`);
    expect(text).toContain('gateway_requests_total{api="unmatched",status="404"} 1');
    expect(text).toContain(`gateway_request_duration_seconds_count{api="${api}",status_class="2xx"} 3`);
    expect(text).toContain(`gateway_upstream_duration_seconds_count{api="${api}",status_class="5xx"} 1`);
    // Refused before the upstream: no upstream latency observed.
    expect(text).not.toContain(`gateway_upstream_duration_seconds_count{api="${api}",status_class="4xx"}`);
    expect(text).toMatch(/^gateway_requests_in_flight 0$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it('writes one structured access line per request', async () => {
    const res = await call(world.gateway.url, `${apiPath}/logged?q=1`, {
      method: 'POST',
      headers: { ...bearer(key), 'user-agent': 'ops-test/1' },
      body: 'abcd',
    });
    expect(res.status).toBe(200);
    const requestId = res.headers['x-request-id'];
    // The line is written once the response has ended, which may be just after the client has it.
    await eventually(async () => out.lines.some((l) => l.requestId === requestId), 2_000);
    const lines = out.lines.filter((l) => l.msg === 'request' && l.requestId === requestId);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      method: 'POST',
      path: `${apiPath}/logged`,
      status: 200,
      keyId,
      bytesIn: 4,
      bytesOut: Buffer.byteLength(res.text),
      clientIp: '127.0.0.1',
      userAgent: 'ops-test/1',
      errorCode: null,
    });
    expect(typeof lines[0]?.latencyMs).toBe('number');
    expect(typeof lines[0]?.upstreamMs).toBe('number');
    expect(typeof lines[0]?.orgId).toBe('string');
    expect(typeof lines[0]?.appId).toBe('string');
    expect(typeof lines[0]?.time).toBe('string');

    const refused = await call(world.gateway.url, `${apiPath}/x`);
    await eventually(
      async () => out.lines.some((l) => l.requestId === refused.headers['x-request-id']),
      2_000,
    );
    const refusal = out.lines.find((l) => l.requestId === refused.headers['x-request-id']);
    expect(refusal).toMatchObject({ status: 401, errorCode: 'key_missing', keyId: null });
  });

  it('suppresses access lines below the configured level', () => {
    const quiet = memoryDestination();
    const logging = createLogging('warn', quiet);
    logging.accessLog({
      id: 'r',
      at: new Date(),
      orgId: null,
      apiId: null,
      appId: null,
      keyId: null,
      subscriptionId: null,
      method: 'GET',
      path: '/',
      status: 200,
      latencyMs: 0,
      upstreamMs: null,
      bytesIn: 0,
      bytesOut: 0,
      clientIp: null,
      userAgent: null,
      errorCode: null,
    });
    logging.log('info', 'hidden');
    logging.log('warn', 'shown');
    expect(quiet.lines.map((l) => l.msg)).toEqual(['shown']);
  });

  it('answers /readyz 503 while draining, still serving, then stops', async () => {
    const draining = await startWorld({ redis: true, drainDelayMs: 1_500 });
    try {
      const provider = await seedProviderWithApi(draining.db, { upstreamUrl: draining.upstream.url });
      const consumer = await seedConsumerWithKey(draining.db, provider.plan.id);
      const url = draining.gateway.url;
      expect((await call(url, '/readyz')).status).toBe(200);
      const closing = draining.gateway.close();
      const ready = await call(url, '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.json()).toEqual({ status: 'draining' });
      expect((await call(url, '/healthz')).status).toBe(200);
      const path = `/${provider.org.slug}/${provider.api.slug}/still`;
      expect((await call(url, path, { headers: bearer(consumer.plaintext) })).status).toBe(200);
      await closing;
      await expect(call(url, '/healthz')).rejects.toThrow();
    } finally {
      await draining.close();
    }
  });
});
