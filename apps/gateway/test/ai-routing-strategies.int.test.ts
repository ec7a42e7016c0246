import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { readGatewayEnv } from '../src/env.ts';
import { silentLogger } from '../src/log.ts';
import { type RunningGateway, startGateway } from '../src/server.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';
import { bearer, call } from './harness.ts';

/*
 * Routing strategies and cooldown over two OpenAI-compatible fakes, called with the official SDKs. Two
 * gateways share one Redis: usage-based limits hold across both.
 */

const KEY = 'sk-strategies-secret';

describe('AI routing strategies', () => {
  let world: AiWorld;
  let second: RunningGateway;
  let slow: FakeLlm;
  let fast: FakeLlm;

  beforeAll(async () => {
    world = await startAiWorld(true);
    second = await startGateway({
      databaseUrl: readGatewayEnv().DATABASE_URL,
      redisUrl: readGatewayEnv().REDIS_URL ?? 'redis://127.0.0.1:6379',
      redisKeyPrefix: world.redisKeyPrefix,
      encryptionKey: world.encryptionKey,
      port: 0,
      usageFlushIntervalMs: 100,
      log: silentLogger,
      requestLogRetention: false,
    });
    slow = await startFakeLlm({ flavor: 'openai', apiKey: KEY, reply: 'from slow' });
    fast = await startFakeLlm({ flavor: 'openai', apiKey: KEY, reply: 'from fast' });
  });
  afterAll(async () => {
    await second?.close();
    await world?.close();
    await slow?.close();
    await fast?.close();
  });

  /** An API with one route `alias` over the slow fake's and the fast fake's credentials. */
  const seedRoute = async (route: Record<string, unknown>, targets: (ids: string[]) => unknown[]) => {
    const seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [
        { provider: 'openai', baseUrl: slow.baseUrl, secret: KEY },
        { provider: 'openai', baseUrl: fast.baseUrl, secret: KEY },
      ],
      ai: (ids) => ({ routes: [{ name: 'alias', targets: targets(ids), ...route }] }),
    });
    const clientAt = (gatewayUrl: string) =>
      new OpenAI({
        apiKey: seeded.consumer.plaintext,
        baseURL: `${seeded.base.replace(world.gateway.url, gatewayUrl)}/v1`,
        maxRetries: 0,
      });
    return { seeded, client: clientAt(world.gateway.url), clientAt };
  };
  const ask = async (client: OpenAI) =>
    (await client.chat.completions.create({ model: 'alias', messages: [{ role: 'user', content: 'hi' }] }))
      .choices[0]?.message.content;
  const served = () => ({ slow: slow.requests.length, fast: fast.requests.length });
  const since = (before: { slow: number; fast: number }) => ({
    slow: slow.requests.length - before.slow,
    fast: fast.requests.length - before.fast,
  });

  it('least-latency: explores both targets, then sends the calls to the faster one', async () => {
    const { client } = await seedRoute({ strategy: 'least-latency' }, ([a, b]) => [
      { credentialId: a, model: 'm-slow' },
      { credentialId: b, model: 'm-fast' },
    ]);
    slow.configure({ latencyMs: 250 });
    try {
      const before = served();
      const replies: (string | null | undefined)[] = [];
      for (let i = 0; i < 8; i++) replies.push(await ask(client));
      // the first two calls try each target once; every later one goes to the fast target
      expect(since(before)).toEqual({ slow: 1, fast: 7 });
      expect(replies.slice(2).every((r) => r === 'from fast')).toBe(true);
    } finally {
      slow.configure({ latencyMs: 0 });
    }
  });

  it('least-busy: spreads concurrent calls over the targets', async () => {
    const { client } = await seedRoute({ strategy: 'least-busy' }, ([a, b]) => [
      { credentialId: a, model: 'm-a' },
      { credentialId: b, model: 'm-b' },
    ]);
    slow.configure({ latencyMs: 400 });
    fast.configure({ latencyMs: 400 });
    try {
      const before = served();
      await Promise.all(Array.from({ length: 6 }, () => ask(client)));
      expect(since(before)).toEqual({ slow: 3, fast: 3 });
    } finally {
      slow.configure({ latencyMs: 0 });
      fast.configure({ latencyMs: 0 });
    }
  });

  it('usage-based: stays under each target’s rpm across two gateways, then answers 429 in each surface’s shape', async () => {
    const { seeded, client, clientAt } = await seedRoute(
      { strategy: 'usage-based', maxAttempts: 1 },
      ([a, b]) => [
        { credentialId: a, model: 'm-a', rpm: 3 },
        { credentialId: b, model: 'm-b', rpm: 2 },
      ],
    );
    // one minute window for the whole test: start early in a minute
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((resolve) => setTimeout(resolve, 60_500 - intoMinute));
    const before = served();
    const gateways = [client, clientAt(second.url)];
    const outcomes: string[] = [];
    for (let i = 0; i < 8; i++) {
      outcomes.push(
        await ask(gateways[i % 2] as OpenAI).then(
          () => 'ok',
          (e: unknown) => (e instanceof OpenAI.RateLimitError ? `429 ${e.code}` : String(e)),
        ),
      );
    }
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(5);
    expect(outcomes.slice(5)).toEqual(Array(3).fill('429 rate_limit_exceeded'));
    expect(since(before)).toEqual({ slow: 3, fast: 2 });

    const anthropic = new Anthropic({
      apiKey: seeded.consumer.plaintext,
      baseURL: seeded.base,
      maxRetries: 0,
    });
    const refused = await anthropic.messages
      .create({ model: 'alias', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Anthropic.RateLimitError);
    const retryAfter = Number(
      (refused as InstanceType<typeof Anthropic.RateLimitError>).headers?.get('retry-after'),
    );
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(since(before)).toEqual({ slow: 3, fast: 2 });
  });

  it('usage-based: a prompt API answers 429 rate_limited as problem+json once its target is at its limit', async () => {
    const seeded = await seedAiApi(world, {
      kind: 'PROMPT',
      credentials: [{ provider: 'openai', baseUrl: fast.baseUrl, secret: KEY }],
      ai: ([id]) => ({
        model: 'writer',
        routes: [
          { name: 'writer', strategy: 'usage-based', targets: [{ credentialId: id, model: 'm', rpm: 1 }] },
        ],
        user: 'Say {{text}}',
        inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
      }),
    });
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 55_000) await new Promise((resolve) => setTimeout(resolve, 60_500 - intoMinute));
    const run = () =>
      call(seeded.base, '/v1/run', {
        method: 'POST',
        headers: { ...bearer(seeded.consumer.plaintext), 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'hi' }),
      });
    expect((await run()).status).toBe(200);
    const before = served();
    const refused = await run();
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json()).toMatchObject({ code: 'rate_limited' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(since(before)).toEqual({ slow: 0, fast: 0 });
  });

  it('cooldown: skips a target after repeated failures, then tries it again once the cooldown ends', async () => {
    const { client } = await seedRoute(
      { maxAttempts: 2, cooldownFailures: 2, cooldownWindowSeconds: 60, cooldownSeconds: 1 },
      ([a, b]) => [
        { credentialId: a, model: 'm-a', weight: 1 },
        { credentialId: b, model: 'm-b', weight: 0 },
      ],
    );
    slow.failNext({ status: 503, times: 2 });
    let before = served();
    expect(await ask(client)).toBe('from fast');
    expect(await ask(client)).toBe('from fast');
    expect(since(before)).toEqual({ slow: 2, fast: 2 });
    // cooling down: the failing target is not called at all
    before = served();
    expect(await ask(client)).toBe('from fast');
    expect(since(before)).toEqual({ slow: 0, fast: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    before = served();
    expect(await ask(client)).toBe('from slow');
    expect(since(before)).toEqual({ slow: 1, fast: 0 });
  });
});
