import { generateEncryptionKey } from '@portcullis/core/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../../../test/fakes/llm/server.ts';
import { seedConsumerWithKey, seedProviderWithApi } from '../../../../test/fixtures.ts';
import { seedAiApi } from '../../test/ai-harness.ts';
import { bearer, call, startWorld, type TestWorld } from '../../test/harness.ts';
import { type CollectedSpan, startCollector, type TestCollector } from '../../test/otlp-collector.ts';

/*
 * The gateway with an OTLP endpoint: one gateway.request span per request, its steps as children, and
 * the W3C trace context carried to the upstream (REST proxy) and to the provider (AI APIs).
 */

const CLIENT_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CLIENT_SPAN = 'b7ad6b7169203331';
const CLIENT_TRACEPARENT = `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`;
const TRACEPARENT = /^00-([\da-f]{32})-([\da-f]{16})-01$/;

/** The spans of one trace once its root has arrived (steps end, and are exported, before it). */
async function traceOf(collector: TestCollector, traceId: string, path: string) {
  const isRoot = (s: CollectedSpan) =>
    s.traceId === traceId && s.name === 'gateway.request' && s.attributes['url.path'] === path;
  const spans = await collector.waitFor((all) => all.some(isRoot));
  const root = spans.find(isRoot) as CollectedSpan;
  const steps = spans.filter((s) => s.traceId === traceId && s.parentSpanId === root.spanId);
  const step = (name: string) => steps.find((s) => s.name === `gateway.${name}`);
  return { root, steps, step };
}

describe('gateway tracing over OTLP/HTTP', () => {
  let collector: TestCollector;
  let world: TestWorld;
  const encryptionKey = generateEncryptionKey();

  beforeAll(async () => {
    collector = await startCollector();
    world = await startWorld({
      redis: false,
      encryptionKey,
      tracing: { endpoint: collector.tracesUrl, serviceName: 'gateway-under-test', exportDelayMs: 20 },
    });
  });
  afterAll(async () => {
    await world?.close();
    await collector?.close();
  });

  it('continues the client trace: root and step spans, and the upstream gets the serve span as parent', async () => {
    const provider = await seedProviderWithApi(world.db, { upstreamUrl: world.upstream.url });
    const consumer = await seedConsumerWithKey(world.db, provider.plan.id);
    const path = `/${provider.org.slug}/${provider.api.slug}/forecast`;
    const res = await call(world.gateway.url, `${path}?city=Oslo`, {
      headers: { ...bearer(consumer.plaintext), traceparent: CLIENT_TRACEPARENT, tracestate: 'vendor=abc' },
    });
    expect(res.status).toBe(200);

    const { root, steps, step } = await traceOf(collector, CLIENT_TRACE, path);
    expect(root).toMatchObject({
      service: 'gateway-under-test',
      parentSpanId: CLIENT_SPAN,
      kind: 2,
      attributes: {
        'http.request.method': 'GET',
        'url.path': path,
        'http.response.status_code': 200,
        'portcullis.org.id': provider.org.id,
        'portcullis.api.id': provider.api.id,
      },
    });
    expect(steps.map((s) => s.name)).toEqual([
      'gateway.screen',
      'gateway.admit',
      'gateway.serve-proxy',
      'gateway.complete',
    ]);

    const seen = world.upstream.seen.at(-1);
    expect(seen?.url).toBe('/forecast?city=Oslo');
    const [, traceId, parentId] = TRACEPARENT.exec(String(seen?.headers.traceparent)) ?? [];
    expect(traceId).toBe(CLIENT_TRACE);
    expect(parentId).toBe(step('serve-proxy')?.spanId);
    expect(seen?.headers.tracestate).toBe('vendor=abc');
    expect(collector.rejected).toEqual([]);
  });

  it('starts a trace for a client without one; refusals are traced with their status', async () => {
    const provider = await seedProviderWithApi(world.db, { upstreamUrl: world.upstream.url });
    const consumer = await seedConsumerWithKey(world.db, provider.plan.id);
    const path = `/${provider.org.slug}/${provider.api.slug}/status/503`;
    const res = await call(world.gateway.url, path, {
      headers: { ...bearer(consumer.plaintext), traceparent: 'garbage', tracestate: 'vendor=abc' },
    });
    expect(res.status).toBe(503);
    const seen = world.upstream.seen.at(-1);
    const [, traceId, parentId] = TRACEPARENT.exec(String(seen?.headers.traceparent)) ?? [];
    expect(traceId).toMatch(/^[\da-f]{32}$/);
    expect(traceId).not.toBe(CLIENT_TRACE);
    // a new trace: the client's tracestate belonged to another one
    expect(seen?.headers.tracestate).toBeUndefined();
    const { root, step } = await traceOf(collector, traceId as string, path);
    expect(root.parentSpanId).toBeUndefined();
    expect(root.attributes['http.response.status_code']).toBe(503);
    expect(parentId).toBe(step('serve-proxy')?.spanId);

    const refusedPath = `/${provider.org.slug}/${provider.api.slug}/refused`;
    const refused = await call(world.gateway.url, refusedPath, {
      headers: { traceparent: `00-${'1'.repeat(32)}-${CLIENT_SPAN}-01` },
    });
    expect(refused.status).toBe(401);
    const rejection = await traceOf(collector, '1'.repeat(32), refusedPath);
    expect(rejection.root.attributes).toMatchObject({
      'http.response.status_code': 401,
      'portcullis.org.id': provider.org.id,
      'portcullis.api.id': provider.api.id,
    });
    expect(rejection.steps.map((s) => s.name)).toEqual(['gateway.screen', 'gateway.admit']);
  });

  describe('AI APIs', () => {
    let fake: FakeLlm;
    beforeAll(async () => {
      fake = await startFakeLlm({ flavor: 'openai', apiKey: 'sk-tenant-secret' });
    });
    afterAll(async () => {
      await fake?.close();
    });

    it("sends the provider the client's trace with the attempt's GenAI span as parent", async () => {
      const seeded = await seedAiApi(
        { ...world, encryptionKey, logLines: [] },
        {
          kind: 'AI',
          credentials: [{ provider: 'openai', baseUrl: fake.baseUrl, secret: 'sk-tenant-secret' }],
          ai: ([id]) => ({
            routes: [{ name: 'fast', targets: [{ credentialId: id, model: 'gpt-4o-mini' }] }],
          }),
        },
      );
      const path = new URL(`${seeded.base}/v1/chat/completions`).pathname;
      const res = await call(world.gateway.url, path, {
        method: 'POST',
        headers: {
          ...bearer(seeded.consumer.plaintext),
          'content-type': 'application/json',
          traceparent: `00-${'2'.repeat(32)}-${CLIENT_SPAN}-01`,
          tracestate: 'vendor=abc',
        },
        body: JSON.stringify({
          model: 'fast',
          messages: [{ role: 'user', content: 'a secret prompt' }],
          max_tokens: 64,
          temperature: 0.5,
        }),
      });
      expect(res.status).toBe(200);
      const { step } = await traceOf(collector, '2'.repeat(32), path);
      const attempt = collector.spans.find(
        (s) => s.traceId === '2'.repeat(32) && s.parentSpanId === step('serve-ai')?.spanId,
      );
      expect(attempt).toMatchObject({
        name: 'chat gpt-4o-mini',
        kind: 3,
        statusCode: 0,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.system': 'openai',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.request.max_tokens': 64,
          'gen_ai.request.temperature': 0.5,
          'gen_ai.response.model': 'gpt-4o-mini',
          'gen_ai.response.finish_reasons': ['stop'],
          'gen_ai.usage.input_tokens': expect.any(Number),
          'gen_ai.usage.output_tokens': expect.any(Number),
          'gen_ai.response.id': expect.any(String),
        },
      });
      expect(attempt?.attributes['gen_ai.request.top_p']).toBeUndefined();
      // no prompt or answer content on any span
      expect(JSON.stringify(collector.spans)).not.toContain('a secret prompt');
      expect(fake.lastRequest().headers).toMatchObject({
        traceparent: `00-${'2'.repeat(32)}-${attempt?.spanId}-01`,
        tracestate: 'vendor=abc',
      });
    });

    it('records a failed attempt with error.type and the fallback as a second span', async () => {
      const backup = await startFakeLlm({ flavor: 'openai', apiKey: 'sk-tenant-secret', reply: 'backup' });
      try {
        const seeded = await seedAiApi(
          { ...world, encryptionKey, logLines: [] },
          {
            kind: 'AI',
            credentials: [
              { provider: 'openai', baseUrl: fake.baseUrl, secret: 'sk-tenant-secret' },
              { provider: 'openai', baseUrl: backup.baseUrl, secret: 'sk-tenant-secret' },
            ],
            ai: ([first, second]) => ({
              routes: [
                {
                  name: 'fast',
                  targets: [
                    { credentialId: first, model: 'gpt-4o-mini' },
                    { credentialId: second, model: 'gpt-4o', weight: 0 },
                  ],
                },
              ],
            }),
          },
        );
        fake.failNext({ status: 503 });
        const path = new URL(`${seeded.base}/v1/chat/completions`).pathname;
        const res = await call(world.gateway.url, path, {
          method: 'POST',
          headers: {
            ...bearer(seeded.consumer.plaintext),
            'content-type': 'application/json',
            traceparent: `00-${'3'.repeat(32)}-${CLIENT_SPAN}-01`,
          },
          body: JSON.stringify({
            model: 'fast',
            messages: [{ role: 'user', content: 'hello' }],
            stream: true,
          }),
        });
        expect(res.status).toBe(200);
        const { step } = await traceOf(collector, '3'.repeat(32), path);
        const attempts = collector.spans.filter(
          (s) => s.traceId === '3'.repeat(32) && s.parentSpanId === step('serve-ai')?.spanId,
        );
        expect(attempts.map((s) => [s.name, s.statusCode, s.attributes['error.type']])).toEqual([
          ['chat gpt-4o-mini', 2, '503'],
          ['chat gpt-4o', 0, undefined],
        ]);
        expect(attempts[1]?.attributes).toMatchObject({
          'gen_ai.response.finish_reasons': ['stop'],
          'gen_ai.response.model': 'gpt-4o',
          'gen_ai.usage.output_tokens': expect.any(Number),
        });
      } finally {
        await backup.close();
      }
    });
  });
});

describe('gateway without an OTLP endpoint', () => {
  let world: TestWorld;
  beforeAll(async () => {
    world = await startWorld({ redis: false });
  });
  afterAll(async () => {
    await world?.close();
  });

  it("passes the client's traceparent and tracestate to the upstream unchanged", async () => {
    const provider = await seedProviderWithApi(world.db, { upstreamUrl: world.upstream.url });
    const consumer = await seedConsumerWithKey(world.db, provider.plan.id);
    const res = await call(world.gateway.url, `/${provider.org.slug}/${provider.api.slug}/forecast`, {
      headers: { ...bearer(consumer.plaintext), traceparent: CLIENT_TRACEPARENT, tracestate: 'vendor=abc' },
    });
    expect(res.status).toBe(200);
    expect(world.upstream.seen.at(-1)?.headers).toMatchObject({
      traceparent: CLIENT_TRACEPARENT,
      tracestate: 'vendor=abc',
    });
  });
});
