import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';
import { bearer, call } from './harness.ts';

/* Prompt APIs (POST /{org}/{api}/v1/run) and Redis-backed budgets, on a gateway with Redis. */

const KEY = 'sk-prompt-secret';

describe('prompt APIs', () => {
  let world: AiWorld;
  let fake: FakeLlm;

  beforeAll(async () => {
    world = await startAiWorld(true);
    fake = await startFakeLlm({ flavor: 'openai', apiKey: KEY });
  });
  afterAll(async () => {
    await world?.close();
    await fake?.close();
  });

  const seedPrompt = (extra: Record<string, unknown> = {}, aiLimits?: unknown) =>
    seedAiApi(world, {
      kind: 'PROMPT',
      credentials: [{ provider: 'openai', baseUrl: fake.baseUrl, secret: KEY }],
      ai: ([id]) => ({
        model: 'writer',
        routes: [{ name: 'writer', targets: [{ credentialId: id, model: 'gpt-4o-mini' }] }],
        system: 'You classify {{kind}} texts.',
        user: 'Text: {{text}}',
        temperature: 0.2,
        inputSchema: {
          type: 'object',
          properties: { text: { type: 'string', minLength: 1 }, kind: { type: 'string' } },
          required: ['text', 'kind'],
        },
        ...extra,
      }),
      ...(aiLimits ? { aiLimits } : {}),
    });

  const run = (seeded: Awaited<ReturnType<typeof seedPrompt>>, body: unknown, path = '/v1/run') =>
    call(seeded.base, path, {
      method: 'POST',
      headers: { ...bearer(seeded.consumer.plaintext), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('renders the templates, calls the model and answers output, model and usage', async () => {
    fake.configure({ reply: 'It is a happy text.' });
    const seeded = await seedPrompt();
    const res = await run(seeded, { text: 'I love this', kind: 'product review' });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({
      output: 'It is a happy text.',
      model: 'gpt-4o-mini',
      usage: { prompt_tokens: 9, completion_tokens: 5, total_tokens: 14, estimated: false },
    });
    expect(fake.lastRequest().body).toMatchObject({
      messages: [
        { role: 'system', content: 'You classify product review texts.' },
        { role: 'user', content: 'Text: I love this' },
      ],
      temperature: 0.2,
    });
    await world.usageSettled();
    const rollups = await world.db.usageRollup.findMany({
      where: { subscriptionId: seeded.consumer.subscription.id },
    });
    expect(rollups.reduce((s, r) => s + r.tokensIn + r.tokensOut, 0n)).toBe(14n);
    const row = await world.db.aiCallLog.findFirstOrThrow({ where: { apiId: seeded.api.id } });
    expect(row).toMatchObject({ surface: 'prompt', model: 'writer', status: 200, requestBody: null });
  });

  it('refuses invalid input with 400 problem+json naming the field', async () => {
    const seeded = await seedPrompt();
    const res = await run(seeded, { kind: 'review' });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const body = res.json();
    expect(body.code).toBe('request_invalid');
    expect(body.errors).toEqual([expect.objectContaining({ in: 'body', name: '/text' })]);
    expect(String(body.detail)).toContain('/text');
    const wrongType = await run(seeded, { text: 42, kind: 'review' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json().errors).toEqual([expect.objectContaining({ name: '/text' })]);
  });

  it('asks for structured output and validates it against the output schema', async () => {
    const outputSchema = {
      type: 'object',
      properties: { sentiment: { enum: ['positive', 'negative'] } },
      required: ['sentiment'],
    };
    const seeded = await seedPrompt({ outputSchema });
    fake.configure({ reply: '{"sentiment":"positive"}' });
    const good = await run(seeded, { text: 'great', kind: 'review' });
    expect(good.status).toBe(200);
    expect(good.json().output).toEqual({ sentiment: 'positive' });
    expect(fake.lastRequest().body).toMatchObject({
      response_format: { type: 'json_schema', json_schema: { name: 'output', schema: outputSchema } },
    });

    fake.configure({ reply: '{"sentiment":"meh"}' });
    const bad = await run(seeded, { text: 'hmm', kind: 'review' });
    expect(bad.status).toBe(502);
    expect(bad.json().code).toBe('invalid_model_output');
    fake.configure({ reply: 'not json at all' });
    expect((await run(seeded, { text: 'hmm', kind: 'review' })).json().code).toBe('invalid_model_output');
  });

  it('answers 404 on any other path of a prompt API', async () => {
    const seeded = await seedPrompt();
    const res = await run(seeded, { text: 'x', kind: 'y' }, '/v1/chat/completions');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('enforces token limits with counters in Redis', async () => {
    fake.configure({ reply: 'short answer' });
    // each run reserves its input (~17 tokens) + maxTokens 20 and settles to the 8 it used: one fits
    const seeded = await seedPrompt({ maxTokens: 20 }, [
      { metric: 'tokens', window: 'day', scope: 'app', limit: '44' },
    ]);
    expect((await run(seeded, { text: 'one', kind: 'a' })).status).toBe(200);
    const refused = await run(seeded, { text: 'two', kind: 'a' });
    expect(refused.status).toBe(429);
    expect(refused.json().code).toBe('token_limit_exceeded');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });
});
