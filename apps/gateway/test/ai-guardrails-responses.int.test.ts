import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';
import { eventually } from './harness.ts';

/*
 * Guardrails on the Responses surface through the official `openai` client (blocked input, blocked and
 * redacted answers, a stream cut with `error` + `response.failed`), and /v1/moderations priced per call
 * (the price row's perCall) and held on the plan's USD budget before the provider is called.
 */

const SECRET = 'sk-openai-guardrails-responses-42';
const PER_CALL_MICROS = 10_000n;

describe('AI guardrails on Responses, and moderation metering', () => {
  let world: AiWorld;
  let fake: FakeLlm;
  let seeded: Awaited<ReturnType<typeof seedAiApi>>;
  let client: OpenAI;

  beforeAll(async () => {
    world = await startAiWorld(false);
    fake = await startFakeLlm({ flavor: 'openai', apiKey: SECRET });
    seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [{ provider: 'openai', baseUrl: fake.baseUrl, secret: SECRET }],
      ai: ([id]) => ({
        routes: [
          { name: 'fast', targets: [{ credentialId: id, model: 'gpt-4o-mini' }] },
          { name: 'mod', targets: [{ credentialId: id, model: 'omni-moderation-latest' }] },
        ],
        guardrails: [
          { type: 'deny', name: 'no-globex', stage: 'input', action: 'block', terms: ['globex'] },
          { type: 'deny', name: 'no-zeus', stage: 'output', action: 'block', terms: ['project zeus'] },
          { type: 'pii', name: 'no-cards', stage: 'both', action: 'redact', detect: ['card'] },
        ],
      }),
      // one moderation call fits, a second one held on top of it does not
      aiLimits: [{ metric: 'usd', window: 'day', scope: 'key', limit: '0.015' }],
      prices: [
        { provider: 'openai', model: 'gpt-4o-mini', inputPerMillion: '0', outputPerMillion: '0' },
        {
          provider: 'openai',
          model: 'omni-moderation-latest',
          inputPerMillion: '0',
          outputPerMillion: '0',
          perCall: '0.01',
        },
      ],
    });
    client = new OpenAI({ apiKey: seeded.consumer.plaintext, baseURL: `${seeded.base}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await world?.close();
    await fake?.close();
  });

  it('refuses a blocked Responses input with 400 before the provider is called', async () => {
    const before = fake.requests.length;
    const error = await client.responses
      .create({ model: 'fast', input: 'Tell me about Globex' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ code: 'guardrail_blocked', error: { rule: 'no-globex' } });
    expect(fake.requests.length).toBe(before);
  });

  it('redacts the input and the answer, and refuses a blocked answer with 422', async () => {
    fake.configure({ reply: 'Card 5555 5555 5555 4444 noted.' });
    const redacted = await client.responses.create({ model: 'fast', input: 'pay with 4111 1111 1111 1111' });
    expect(redacted.output_text).toBe('Card [CARD] noted.');
    expect(fake.lastRequest().body).toMatchObject({
      messages: [{ role: 'user', content: 'pay with [CARD]' }],
    });
    fake.configure({ reply: 'The plan is Project Zeus.' });
    const blocked = await client.responses
      .create({ model: 'fast', input: 'plans?' })
      .catch((e: unknown) => e);
    expect(blocked).toBeInstanceOf(OpenAI.UnprocessableEntityError);
    expect(blocked).toMatchObject({ code: 'guardrail_blocked', error: { rule: 'no-zeus' } });
  });

  it('cuts a stream with error and response.failed, and stores nothing', async () => {
    // longer than what the redacting rule holds back, so the first words go out before the cut
    const lead = Array.from({ length: 80 }, (_, i) => `w${i}`).join(' ');
    fake.configure({ reply: `${lead} Project Zeus four five`, tokenDelayMs: 1 });
    const events = await client.responses.create({ model: 'fast', input: 'Count', stream: true });
    const seen: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of events) seen.push(event);
    fake.configure({ tokenDelayMs: 0 });
    const text = seen.map((e) => (e.type === 'response.output_text.delta' ? e.delta : '')).join('');
    expect(text.startsWith('w0 w1 w2')).toBe(true);
    expect(text).not.toMatch(/zeus/i);
    expect(seen.map((e) => e.type).slice(-2)).toEqual(['error', 'response.failed']);
    const failed = seen.at(-1);
    if (failed?.type !== 'response.failed') throw new Error('no response.failed');
    expect(failed.response.error).toMatchObject({ code: 'guardrail_blocked' });
    await expect(client.responses.retrieve(failed.response.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await world.gateway.flushUsage();
    await eventually(
      async () =>
        (await world.db.aiCallLog.count({
          where: { apiId: seeded.api.id, surface: 'responses', stream: true, errorCode: 'guardrail_blocked' },
        })) === 1,
      5_000,
    );
    const row = await world.db.aiCallLog.findFirstOrThrow({
      where: { apiId: seeded.api.id, surface: 'responses', stream: true },
    });
    expect(row.guardrails).toEqual([{ rule: 'no-zeus', type: 'deny', stage: 'output', action: 'block' }]);
    expect(row.tokensOut).toBeGreaterThan(0);
  });

  it('prices /v1/moderations per call and holds the call on the USD budget first', async () => {
    const moderations = () => fake.requests.filter((r) => r.path === '/v1/moderations').length;
    const before = moderations();
    const first = await client.moderations.create({ model: 'mod', input: 'a poem' });
    expect(first.results).toHaveLength(1);
    // $0.01 spent and $0.01 more held would pass the $0.015 budget: refused before the provider is called
    const second = await client.moderations.create({ model: 'mod', input: 'again' }).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(OpenAI.RateLimitError);
    expect(moderations()).toBe(before + 1);
    await world.usageSettled();
    await eventually(
      async () =>
        (await world.db.aiCallLog.count({ where: { apiId: seeded.api.id, surface: 'moderations' } })) === 1,
      5_000,
    );
    const row = await world.db.aiCallLog.findFirstOrThrow({
      where: { apiId: seeded.api.id, surface: 'moderations' },
    });
    expect(row).toMatchObject({ status: 200, costMicros: PER_CALL_MICROS, tokensIn: 0, tokensOut: 0 });
    const rollups = await world.db.usageRollup.findMany({
      where: { subscriptionId: seeded.consumer.subscription.id },
    });
    expect(rollups.reduce((sum, r) => sum + r.costMicros, 0n)).toBe(PER_CALL_MICROS);
  });
});
