import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';
import { bearer, call, eventually } from './harness.ts';

/*
 * Guardrails on an AI API, called with the official openai and @anthropic-ai/sdk clients through the
 * gateway over fake providers: input blocks and redactions, output blocks whole and streamed (cut at the
 * offending chunk), streamed redaction, the JSON-schema rule, provider moderation (rule and passthrough),
 * and the decisions on the call log and in /metrics.
 */

const SECRET_OPENAI = 'sk-openai-guardrails-0123456789';
const SECRET_ANTHROPIC = 'sk-ant-guardrails-9876543210';

const deny = (name: string, stage: string, terms: string[], action = 'block') => ({
  type: 'deny',
  name,
  stage,
  action,
  terms,
});
const streamCut = [deny('no-zeus', 'output', ['project zeus'])];

describe('AI guardrails', () => {
  let world: AiWorld;
  let openaiFake: FakeLlm;
  let anthropicFake: FakeLlm;
  let seeded: Awaited<ReturnType<typeof seedAiApi>>;
  let client: OpenAI;
  let anthropic: Anthropic;

  beforeAll(async () => {
    world = await startAiWorld(false);
    openaiFake = await startFakeLlm({
      flavor: 'openai',
      apiKey: SECRET_OPENAI,
      moderationTriggers: { 'attack plan': 'violence', 'mildly rude': 'harassment' },
    });
    anthropicFake = await startFakeLlm({ flavor: 'anthropic', apiKey: SECRET_ANTHROPIC });
    seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [
        { provider: 'openai', baseUrl: openaiFake.baseUrl, secret: SECRET_OPENAI },
        { provider: 'anthropic', baseUrl: anthropicFake.baseUrl, secret: SECRET_ANTHROPIC },
      ],
      ai: ([openaiId, anthropicId]) => {
        const gpt = [{ credentialId: openaiId, model: 'gpt-4o-mini' }];
        const moderation = (name: string, credentialId: string | undefined, failMode: string) => ({
          type: 'moderation',
          name,
          stage: 'input',
          credentialId,
          model: 'omni-moderation-latest',
          categories: ['violence'],
          failMode,
        });
        return {
          routes: [
            { name: 'guarded', targets: gpt },
            { name: 'strict', targets: gpt, guardrails: streamCut },
            { name: 'claude', targets: [{ credentialId: anthropicId, model: 'claude-sonnet-4-5' }] },
            {
              name: 'claude-strict',
              targets: [{ credentialId: anthropicId, model: 'claude-sonnet-4-5' }],
              guardrails: streamCut,
            },
            {
              name: 'json',
              targets: gpt,
              guardrails: [
                {
                  type: 'json_schema',
                  name: 'answer-shape',
                  schema: {
                    type: 'object',
                    required: ['answer'],
                    properties: { answer: { type: 'string' } },
                  },
                },
              ],
            },
            { name: 'moderated', targets: gpt, guardrails: [moderation('safety', openaiId, 'open')] },
            { name: 'mod-open', targets: gpt, guardrails: [moderation('safety-open', anthropicId, 'open')] },
            {
              name: 'mod-closed',
              targets: gpt,
              guardrails: [moderation('safety-closed', anthropicId, 'closed')],
            },
            {
              name: 'tokens',
              targets: gpt,
              guardrails: [{ type: 'max_input_tokens', name: 'short', limit: 20 }],
            },
            { name: 'mod', targets: [{ credentialId: openaiId, model: 'omni-moderation-latest' }] },
            { name: 'mod-claude', targets: [{ credentialId: anthropicId, model: 'claude-sonnet-4-5' }] },
          ],
          guardrails: [
            deny('no-competitors', 'input', ['globex']),
            { type: 'pii', name: 'pii-in', stage: 'input', action: 'redact', detect: ['email', 'card'] },
            deny('no-secret-project', 'output', ['project zeus']),
            { type: 'pii', name: 'pii-out', stage: 'output', action: 'redact', detect: ['email'] },
          ],
        };
      },
    });
    client = new OpenAI({ apiKey: seeded.consumer.plaintext, baseURL: `${seeded.base}/v1`, maxRetries: 0 });
    anthropic = new Anthropic({ apiKey: seeded.consumer.plaintext, baseURL: seeded.base, maxRetries: 0 });
  });
  afterAll(async () => {
    await world?.close();
    await openaiFake?.close();
    await anthropicFake?.close();
  });

  const ask = (model: string, content: string) =>
    client.chat.completions.create({ model, messages: [{ role: 'user', content }] });

  it('blocks an input before the provider is called: 400 guardrail_blocked naming the rule', async () => {
    const before = openaiFake.requests.length;
    const error = await ask('guarded', 'Compare us with GLOBEX, please').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({
      status: 400,
      code: 'guardrail_blocked',
      error: { rule: 'no-competitors' },
    });
    expect((error as Error).message).toContain("'no-competitors'");
    expect(openaiFake.requests.length).toBe(before);

    const blocked = await anthropic.messages
      .create({ model: 'guarded', max_tokens: 50, messages: [{ role: 'user', content: 'globex?' }] })
      .catch((e: unknown) => e);
    expect(blocked).toMatchObject({ status: 400 });
    expect((blocked as { error: unknown }).error).toMatchObject({
      type: 'error',
      error: { code: 'guardrail_blocked', rule: 'no-competitors' },
    });
  });

  it('redacts an input: the provider sees the redacted text', async () => {
    openaiFake.configure({ reply: 'Noted.' });
    await ask('guarded', 'Mail jane.doe@example.com, card 4111 1111 1111 1111.');
    expect(openaiFake.lastRequest().body).toMatchObject({
      messages: [{ role: 'user', content: 'Mail [EMAIL], card [CARD].' }],
    });
  });

  it('refuses more text than the guardrails check, rather than letting it through unchecked', async () => {
    const before = openaiFake.requests.length;
    const error = await ask('guarded', 'a '.repeat(500_001)).catch((e: unknown) => e);
    expect(error).toMatchObject({
      status: 400,
      code: 'guardrail_blocked',
      error: { rule: 'no-competitors' },
    });
    expect(openaiFake.requests.length).toBe(before);
  });

  it('refuses an input over the token limit', async () => {
    const error = await ask('tokens', 'word '.repeat(100)).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, code: 'guardrail_blocked', error: { rule: 'short' } });
  });

  it('blocks a whole answer with 422 and redacts another', async () => {
    openaiFake.configure({ reply: 'The plan is Project Zeus, obviously.' });
    const error = await ask('guarded', 'What is the plan?').catch((e: unknown) => e);
    expect(error).toMatchObject({
      status: 422,
      code: 'guardrail_blocked',
      error: { rule: 'no-secret-project' },
    });

    openaiFake.configure({ reply: 'Write to bob@example.com for details.' });
    const ok = await ask('guarded', 'Who do I write to?');
    expect(ok.choices[0]?.message.content).toBe('Write to [EMAIL] for details.');
  });

  it('cuts a stream at the offending chunk, after delivering the earlier ones (OpenAI)', async () => {
    openaiFake.configure({ reply: 'One two three Project Zeus four five', tokenDelayMs: 2 });
    const stream = await client.chat.completions.create({
      model: 'strict',
      messages: [{ role: 'user', content: 'Count' }],
      stream: true,
    });
    let text = '';
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    expect(text).toBe('One two three Project');
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({ code: 'guardrail_blocked', error: { rule: 'no-zeus' } });
    openaiFake.configure({ tokenDelayMs: 0 });
  });

  it('cuts a stream with an error event (Anthropic surface)', async () => {
    anthropicFake.configure({ reply: 'Alpha beta Project Zeus gamma' });
    const stream = anthropic.messages.stream({
      model: 'claude-strict',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Go' }],
    });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const error = await stream.finalMessage().catch((e: unknown) => e);
    expect(text).toBe('Alpha beta Project');
    expect(String((error as Error).message)).toContain('guardrail_blocked');
    expect(String((error as Error).message)).toContain('no-zeus');
  });

  it('redacts a streamed answer before sending it', async () => {
    openaiFake.configure({ reply: 'Contact carol.smith@example.org or the desk for help.' });
    const stream = await client.chat.completions.create({
      model: 'guarded',
      messages: [{ role: 'user', content: 'Who?' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Contact [EMAIL] or the desk for help.');
  });

  it('redacts a streamed answer on the Anthropic surface too', async () => {
    anthropicFake.configure({ reply: 'Mail dan@example.com before noon, thanks.' });
    const stream = anthropic.messages.stream({
      model: 'claude',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Who?' }],
    });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const message = await stream.finalMessage();
    expect(text).toBe('Mail [EMAIL] before noon, thanks.');
    expect(message.stop_reason).toBe('end_turn');
  });

  it('checks an answer against the JSON-schema rule', async () => {
    openaiFake.configure({ reply: '{"answer":"yes"}' });
    expect((await ask('json', 'Answer in JSON')).choices[0]?.message.content).toBe('{"answer":"yes"}');
    openaiFake.configure({ reply: '{"result":1}' });
    const error = await ask('json', 'Answer in JSON').catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 422, code: 'guardrail_blocked', error: { rule: 'answer-shape' } });
  });

  it('moderates inputs with the tenant credential: blocks a listed category, lets others through', async () => {
    openaiFake.configure({ reply: 'Fine.' });
    const error = await ask('moderated', 'Here is my attack plan').catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, code: 'guardrail_blocked', error: { rule: 'safety' } });
    const moderationCall = openaiFake.requests.findLast((r) => r.path === '/v1/moderations');
    expect(moderationCall?.headers.authorization).toBe(`Bearer ${SECRET_OPENAI}`);
    expect(moderationCall?.body).toMatchObject({
      model: 'omni-moderation-latest',
      input: 'Here is my attack plan',
    });

    expect((await ask('moderated', 'This is mildly rude')).choices[0]?.message.content).toBe('Fine.');
  });

  it('fails open or closed when moderation cannot run', async () => {
    expect((await ask('mod-open', 'hello')).choices[0]?.message.content).toBe('Fine.');
    const error = await ask('mod-closed', 'hello').catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, code: 'guardrail_blocked', error: { rule: 'safety-closed' } });
  });

  it('passes /v1/moderations through to OpenAI routes, 400 for other providers', async () => {
    const result = await client.moderations.create({ model: 'mod', input: ['an attack plan', 'a poem'] });
    expect(result.model).toBe('mod');
    expect(result.results.map((r) => r.flagged)).toEqual([true, false]);
    expect(result.results[0]?.categories.violence).toBe(true);
    const error = await client.moderations
      .create({ model: 'mod-claude', input: 'x' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, code: 'unsupported_operation' });
    const bad = await call(seeded.base, '/v1/moderations', {
      method: 'POST',
      headers: { ...bearer(seeded.consumer.plaintext), 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mod', input: 42 }),
    });
    expect(bad.status).toBe(400);
  });

  it('records every decision on the call log rows and counts them in /metrics', async () => {
    await world.gateway.flushUsage();
    const logged = () => world.db.aiCallLog.findMany({ where: { apiId: seeded.api.id } });
    await eventually(
      async () => (await logged()).filter((row) => row.guardrails !== null).length >= 12,
      5_000,
    );
    const rows = await logged();
    const decisions = rows.flatMap((row) => (row.guardrails ?? []) as { rule: string; action: string }[]);
    const has = (rule: string, action: string) =>
      decisions.some((decision) => decision.rule === rule && decision.action === action);
    expect(has('no-competitors', 'block')).toBe(true);
    expect(has('pii-in', 'redact')).toBe(true);
    expect(has('no-secret-project', 'block')).toBe(true);
    expect(has('pii-out', 'redact')).toBe(true);
    expect(has('no-zeus', 'block')).toBe(true);
    expect(has('answer-shape', 'block')).toBe(true);
    expect(has('safety', 'block')).toBe(true);
    expect(has('safety', 'flagged')).toBe(true);
    expect(has('safety-open', 'error')).toBe(true);
    const blocked = rows.find((row) => row.errorCode === 'guardrail_blocked' && row.status === 400);
    expect(blocked).toMatchObject({ tokensIn: 0, tokensOut: 0, attempts: 0 });
    // a stream cut by a guardrail is metered with what the provider produced up to the cut
    const cut = rows.find(
      (row) => row.stream && row.errorCode === 'guardrail_blocked' && row.model === 'strict',
    );
    expect(cut?.tokensOut).toBeGreaterThanOrEqual(4);
    expect(cut?.tokensOut).toBeLessThan(7);

    const metrics = await call(world.gateway.url, '/metrics');
    const api = seeded.api.id;
    // input blocks on both surfaces, one oversized input, one whole answer, two streams cut
    expect(metrics.text).toContain(
      `gateway_ai_guardrail_decisions_total{api="${api}",rule_type="deny",action="block"} 6`,
    );
    expect(metrics.text).toContain(
      `gateway_ai_guardrail_decisions_total{api="${api}",rule_type="moderation",action="flagged"} 1`,
    );
  });
});
