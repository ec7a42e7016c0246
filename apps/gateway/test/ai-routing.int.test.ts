import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';
import { eventually } from './harness.ts';

/*
 * Model routing (weights, fallback on 5xx/429/timeouts), usage estimation and token limits / budgets,
 * on a single gateway without Redis (in-memory budget counters).
 */

const KEY = 'sk-routing-secret';
const ask = (client: OpenAI, model: string, content = 'hello there') =>
  client.chat.completions.create({ model, messages: [{ role: 'user', content }] });
/** A call of 'hello there' (~8 input tokens counted) reserving at most 8 + max_tokens. */
const askCapped = (client: OpenAI, maxTokens: number) =>
  client.chat.completions.create({
    model: 'alias',
    messages: [{ role: 'user', content: 'hello there' }],
    max_tokens: maxTokens,
  });

describe('AI model routing and budgets', () => {
  let world: AiWorld;
  let primary: FakeLlm;
  let secondary: FakeLlm;

  beforeAll(async () => {
    world = await startAiWorld(false);
    primary = await startFakeLlm({ flavor: 'openai', apiKey: KEY, reply: 'from primary' });
    secondary = await startFakeLlm({ flavor: 'openai', apiKey: KEY, reply: 'from secondary' });
  });
  afterAll(async () => {
    await world?.close();
    await primary?.close();
    await secondary?.close();
  });

  const twoTargets = async (route: Record<string, unknown>, targets: (ids: string[]) => unknown[]) => {
    const seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [
        { provider: 'openai', baseUrl: primary.baseUrl, secret: KEY },
        { provider: 'openai', baseUrl: secondary.baseUrl, secret: KEY },
      ],
      ai: (ids) => ({ routes: [{ name: 'alias', targets: targets(ids), ...route }] }),
    });
    const client = new OpenAI({
      apiKey: seeded.consumer.plaintext,
      baseURL: `${seeded.base}/v1`,
      maxRetries: 0,
    });
    return { seeded, client };
  };

  it('splits traffic by weight', async () => {
    const { client } = await twoTargets({}, ([a, b]) => [
      { credentialId: a, model: 'm-a', weight: 3 },
      { credentialId: b, model: 'm-b', weight: 1 },
    ]);
    const counts = { primary: 0, secondary: 0 };
    for (let i = 0; i < 80; i++) {
      const reply = (await ask(client, 'alias')).choices[0]?.message.content;
      if (reply === 'from primary') counts.primary++;
      else if (reply === 'from secondary') counts.secondary++;
    }
    expect(counts.primary + counts.secondary).toBe(80);
    expect(counts.primary).toBeGreaterThan(counts.secondary);
    expect(counts.secondary).toBeGreaterThan(5);
  });

  it('falls back from a 500 and a 429 target to the next one', async () => {
    const { seeded, client } = await twoTargets({ maxAttempts: 2 }, ([a, b]) => [
      { credentialId: a, model: 'm-a', weight: 1 },
      { credentialId: b, model: 'm-b', weight: 0 },
    ]);
    primary.failNext({ status: 500 });
    expect((await ask(client, 'alias')).choices[0]?.message.content).toBe('from secondary');
    primary.failNext({ status: 429, retryAfterSeconds: 1 });
    expect((await ask(client, 'alias')).choices[0]?.message.content).toBe('from secondary');
    expect((await ask(client, 'alias')).choices[0]?.message.content).toBe('from primary');
    await world.gateway.flushUsage();
    const rows = await world.db.aiCallLog.findMany({
      where: { apiId: seeded.api.id },
      orderBy: { at: 'asc' },
    });
    expect(rows.map((r) => [r.attempts, r.providerModel])).toEqual([
      [2, 'm-b'],
      [2, 'm-b'],
      [1, 'm-a'],
    ]);
    // logging was not opted in: no bodies
    expect(rows.every((r) => r.requestBody === null && r.responseBody === null)).toBe(true);
  });

  it('gives up after maxAttempts with the last error in OpenAI shape', async () => {
    const { client } = await twoTargets({ maxAttempts: 2 }, ([a, b]) => [
      { credentialId: a, model: 'm-a', weight: 1 },
      { credentialId: b, model: 'm-b', weight: 0 },
    ]);
    primary.failNext({ status: 503 });
    secondary.failNext({ status: 503 });
    const failed = await ask(client, 'alias').catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(OpenAI.APIError);
    expect((failed as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
  });

  it('falls back when a target does not answer within the per-attempt timeout', async () => {
    const { client } = await twoTargets({ timeoutMs: 300, maxAttempts: 2 }, ([a, b]) => [
      { credentialId: a, model: 'm-a', weight: 1 },
      { credentialId: b, model: 'm-b', weight: 0 },
    ]);
    primary.configure({ latencyMs: 2_000 });
    try {
      const started = Date.now();
      expect((await ask(client, 'alias')).choices[0]?.message.content).toBe('from secondary');
      expect(Date.now() - started).toBeLessThan(1_500);
    } finally {
      primary.configure({ latencyMs: 0 });
    }
  });

  it('estimates usage when the provider reports none, and marks it', async () => {
    const { seeded, client } = await twoTargets({}, ([a]) => [{ credentialId: a, model: 'gpt-4o-mini' }]);
    primary.configure({ omitUsage: true });
    try {
      const completion = await ask(client, 'alias', 'count my tokens please');
      expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
      expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
    } finally {
      primary.configure({ omitUsage: false });
    }
    await world.gateway.flushUsage();
    const row = await world.db.aiCallLog.findFirstOrThrow({ where: { apiId: seeded.api.id } });
    expect(row.tokensEstimated).toBe(true);
    expect(row.tokensOut).toBeGreaterThan(0);
  });

  it('refuses with 429 token_limit_exceeded once a key used its tokens for the minute', async () => {
    const seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [{ provider: 'openai', baseUrl: primary.baseUrl, secret: KEY }],
      ai: ([a]) => ({ routes: [{ name: 'alias', targets: [{ credentialId: a, model: 'gpt-4o-mini' }] }] }),
      aiLimits: [{ metric: 'tokens', window: 'minute', scope: 'key', limit: '31' }],
    });
    const client = new OpenAI({
      apiKey: seeded.consumer.plaintext,
      baseURL: `${seeded.base}/v1`,
      maxRetries: 0,
    });
    // reserves ~28 of 31 and settles to the 4 used; the next one's ~28 no longer fits
    await askCapped(client, 20);
    const refused = await askCapped(client, 20).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    const error = refused as InstanceType<typeof OpenAI.RateLimitError>;
    expect(error.code).toBe('token_limit_exceeded');
    const retryAfter = Number(error.headers?.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it('refuses with 429 budget_exceeded once the consumer org spent its USD budget', async () => {
    const seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [{ provider: 'openai', baseUrl: primary.baseUrl, secret: KEY }],
      ai: ([a]) => ({ routes: [{ name: 'alias', targets: [{ credentialId: a, model: 'gpt-4o-mini' }] }] }),
      aiLimits: [{ metric: 'usd', window: 'day', scope: 'org', limit: '0.000039' }],
      prices: [{ provider: 'openai', model: 'gpt-4o-mini', inputPerMillion: '1', outputPerMillion: '2' }],
    });
    const client = new OpenAI({
      apiKey: seeded.consumer.plaintext,
      baseURL: `${seeded.base}/v1`,
      maxRetries: 0,
    });
    // each call reserves ~8 + 2 × 10 = 28 micro-USD of the 39 and settles to 2 + 2 × 2 = 6: after two
    // calls 12 are spent and a third call's worst case no longer fits
    await askCapped(client, 10);
    await askCapped(client, 10);
    const refused = await askCapped(client, 10).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect((refused as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('budget_exceeded');
    expect(primary.lastRequest().body).toMatchObject({ model: 'gpt-4o-mini' });
  });

  it('aborts the upstream stream when the client disconnects', async () => {
    const { seeded, client } = await twoTargets({}, ([a]) => [{ credentialId: a, model: 'gpt-4o-mini' }]);
    primary.configure({ tokenDelayMs: 100, reply: 'one two three four five six seven eight nine ten' });
    const controller = new AbortController();
    try {
      const stream = await client.chat.completions.create(
        { model: 'alias', messages: [{ role: 'user', content: 'go' }], stream: true },
        { signal: controller.signal },
      );
      const started = Date.now();
      // the client stops reading (the SDK ends the iteration, or throws, on abort)
      await (async () => {
        for await (const chunk of stream) {
          if (chunk.choices[0]?.delta.content) controller.abort();
        }
      })().catch(() => undefined);
      await eventually(async () => {
        await world.gateway.flushUsage();
        return (await world.db.aiCallLog.count({ where: { apiId: seeded.api.id } })) > 0;
      }, 2_000);
      await world.gateway.flushUsage();
      const row = await world.db.aiCallLog.findFirstOrThrow({ where: { apiId: seeded.api.id } });
      // logged (the stream ended) long before the ~1 s the whole reply takes upstream
      expect(Date.now() - started).toBeLessThan(700);
      expect(row).toMatchObject({ stream: true, status: 499, errorCode: 'request_cancelled' });
    } finally {
      primary.configure({ tokenDelayMs: 0, reply: 'from primary' });
    }
  });
});
