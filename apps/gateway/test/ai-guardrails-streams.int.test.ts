import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';
import { call, eventually } from './harness.ts';

/*
 * Whole-answer guardrails on streams (the JSON-schema rule and output moderation hold the finish until
 * the answer passes) and text rules on tool-call arguments (in the request, in a whole answer and
 * streamed), through the official openai and @anthropic-ai/sdk clients over fake providers, with the
 * decisions on the call log and the usage metered.
 */

const SECRET_OPENAI = 'sk-openai-guard-streams-0123456789';
const SECRET_ANTHROPIC = 'sk-ant-guard-streams-9876543210';

const answerShape = {
  type: 'json_schema',
  name: 'answer-shape',
  schema: { type: 'object', required: ['answer'], properties: { answer: { type: 'string' } } },
};
const toolRules = [
  { type: 'deny', name: 'no-drop', stage: 'both', action: 'block', terms: ['drop table'] },
  { type: 'pii', name: 'pii-args', stage: 'both', action: 'redact', detect: ['email'] },
];
const sendTool: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: { name: 'send', parameters: { type: 'object', properties: { to: { type: 'string' } } } },
};

/** What a streamed chat completion delivered: text, tool-call arguments, finish, or the error it ended with. */
async function collect(stream: AsyncIterable<OpenAI.ChatCompletionChunk>) {
  let text = '';
  const args: string[] = [];
  let finish: string | null = null;
  const error = await (async () => {
    for await (const chunk of stream) {
      for (const choice of chunk.choices) {
        text += choice.delta.content ?? '';
        for (const delta of choice.delta.tool_calls ?? []) {
          args[delta.index] = (args[delta.index] ?? '') + (delta.function?.arguments ?? '');
        }
        finish = choice.finish_reason ?? finish;
      }
    }
  })().catch((e: unknown) => e);
  return { text, args, finish, error };
}

describe('AI guardrails on streams and tool calls', () => {
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
      moderationTriggers: { 'attack plan': 'violence' },
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
        const claude = [{ credentialId: anthropicId, model: 'claude-sonnet-4-5' }];
        const moderation = (name: string, credentialId: string | undefined, failMode: string) => ({
          type: 'moderation',
          name,
          stage: 'output',
          credentialId,
          categories: ['violence'],
          failMode,
        });
        return {
          routes: [
            { name: 'json', targets: gpt, guardrails: [answerShape] },
            { name: 'moderated', targets: gpt, guardrails: [moderation('safety-out', openaiId, 'open')] },
            {
              name: 'mod-closed',
              targets: gpt,
              guardrails: [moderation('safety-closed', anthropicId, 'closed')],
            },
            {
              name: 'claude-moderated',
              targets: claude,
              guardrails: [moderation('safety-out', openaiId, 'open')],
            },
            { name: 'tools', targets: gpt, guardrails: toolRules },
            { name: 'claude-tools', targets: claude, guardrails: toolRules },
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

  const streamChat = (
    model: string,
    content: string,
    extra: Partial<OpenAI.ChatCompletionCreateParams> = {},
  ) =>
    client.chat.completions.create({
      model,
      messages: [{ role: 'user', content }],
      stream: true,
      stream_options: { include_usage: true },
      ...extra,
    } as OpenAI.ChatCompletionCreateParamsStreaming);

  it('passes a streamed answer that matches the JSON-schema rule, finish and usage included', async () => {
    openaiFake.configure({ reply: '{"answer": "yes, all good"}' });
    let usage: OpenAI.CompletionUsage | null | undefined;
    const stream = await streamChat('json', 'Answer in JSON');
    const seen = await collect(
      (async function* () {
        for await (const chunk of stream) {
          usage ??= chunk.usage;
          yield chunk;
        }
      })(),
    );
    expect(seen).toMatchObject({ text: '{"answer": "yes, all good"}', finish: 'stop', error: undefined });
    expect(usage?.completion_tokens).toBe(4);
  });

  it('ends a streamed answer that breaks the JSON-schema rule with the guardrail error, not its finish', async () => {
    // the usage chunk comes a while after the finish: the check is done before it arrives
    openaiFake.configure({ reply: '{"result": 1}', tokenDelayMs: 30 });
    const seen = await collect(await streamChat('json', 'Answer in JSON'));
    openaiFake.configure({ tokenDelayMs: 0 });
    // the text went out as it came; the finish was held and never sent
    expect(seen.text).toBe('{"result": 1}');
    expect(seen.finish).toBeNull();
    expect(seen.error).toBeInstanceOf(OpenAI.APIError);
    expect(seen.error).toMatchObject({ code: 'guardrail_blocked', error: { rule: 'answer-shape' } });
    expect((seen.error as Error).message).toContain('does not match the schema');
  });

  it('ends a Responses stream that breaks the JSON-schema rule with error and response.failed', async () => {
    openaiFake.configure({ reply: 'not json at all' });
    const events = await client.responses.create({ model: 'json', input: 'JSON please', stream: true });
    const seen: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of events) seen.push(event);
    expect(seen.map((e) => e.type).slice(-2)).toEqual(['error', 'response.failed']);
    expect(seen.some((e) => e.type === 'response.completed')).toBe(false);
    const failed = seen.at(-1);
    if (failed?.type !== 'response.failed') throw new Error('no response.failed');
    expect(failed.response.error).toMatchObject({ code: 'guardrail_blocked' });
  });

  it('moderates a streamed answer whole before its finish: blocks a flagged one, passes others', async () => {
    openaiFake.configure({ reply: 'Sure, here is the attack plan in full.' });
    const seen = await collect(await streamChat('moderated', 'Plan?'));
    expect(seen.finish).toBeNull();
    expect(seen.error).toMatchObject({ code: 'guardrail_blocked', error: { rule: 'safety-out' } });
    const moderated = openaiFake.requests.findLast((r) => r.path === '/v1/moderations');
    expect(moderated?.body).toMatchObject({ input: 'Sure, here is the attack plan in full.' });

    openaiFake.configure({ reply: 'A short poem about spring.' });
    const ok = await collect(await streamChat('moderated', 'Poem?'));
    expect(ok).toMatchObject({ text: 'A short poem about spring.', finish: 'stop', error: undefined });
  });

  it('fails closed on a stream when the moderation rule says so', async () => {
    openaiFake.configure({ reply: 'Harmless words.' });
    const seen = await collect(await streamChat('mod-closed', 'Hi'));
    expect(seen.finish).toBeNull();
    expect(seen.error).toMatchObject({ code: 'guardrail_blocked', error: { rule: 'safety-closed' } });
  });

  it('moderates a streamed answer on the Anthropic surface', async () => {
    anthropicFake.configure({ reply: 'The attack plan is ready.' });
    const stream = anthropic.messages.stream({
      model: 'claude-moderated',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Go' }],
    });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const error = await stream.finalMessage().catch((e: unknown) => e);
    expect(text).toBe('The attack plan is ready.');
    expect(String((error as Error).message)).toContain('guardrail_blocked');
    expect(String((error as Error).message)).toContain('safety-out');

    anthropicFake.configure({ reply: 'All calm here.' });
    const message = await anthropic.messages
      .stream({ model: 'claude-moderated', max_tokens: 100, messages: [{ role: 'user', content: 'Go' }] })
      .finalMessage();
    expect(message.stop_reason).toBe('end_turn');
  });

  it('redacts and blocks tool-call arguments in a whole answer', async () => {
    openaiFake.configure({ toolArguments: { to: 'jane.doe@example.com', note: 'say "hi"\nsoon' } });
    const answer = await client.chat.completions.create({
      model: 'tools',
      messages: [{ role: 'user', content: 'Mail Jane' }],
      tools: [sendTool],
    });
    const toolCall = answer.choices[0]?.message.tool_calls?.[0];
    if (toolCall?.type !== 'function') throw new Error('no function call');
    expect(JSON.parse(toolCall.function.arguments)).toEqual({ to: '[EMAIL]', note: 'say "hi"\nsoon' });

    openaiFake.configure({ toolArguments: { sql: 'DROP TABLE users' } });
    const error = await client.chat.completions
      .create({ model: 'tools', messages: [{ role: 'user', content: 'Clean up' }], tools: [sendTool] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 422, code: 'guardrail_blocked', error: { rule: 'no-drop' } });
  });

  it('redacts streamed tool-call arguments whole, as valid JSON, and cuts a blocked call', async () => {
    openaiFake.configure({ toolArguments: { to: 'jane.doe@example.com', cc: 'bob@example.org' } });
    const seen = await collect(await streamChat('tools', 'Mail Jane', { tools: [sendTool] }));
    expect(seen.error).toBeUndefined();
    expect(seen.finish).toBe('tool_calls');
    expect(JSON.parse(seen.args[0] ?? '')).toEqual({ to: '[EMAIL]', cc: '[EMAIL]' });

    openaiFake.configure({ toolArguments: { sql: 'DROP TABLE users; -- and more text after it' } });
    const cut = await collect(await streamChat('tools', 'Clean up', { tools: [sendTool] }));
    expect(cut.finish).toBeNull();
    expect(cut.args.join('')).not.toMatch(/drop table/i);
    expect(cut.error).toMatchObject({ code: 'guardrail_blocked', error: { rule: 'no-drop' } });
  });

  it('redacts streamed tool-call arguments on the Anthropic surface', async () => {
    anthropicFake.configure({ toolArguments: { to: 'jane.doe@example.com' } });
    const message = await anthropic.messages
      .stream({
        model: 'claude-tools',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'Mail Jane' }],
        tools: [{ name: 'send', input_schema: { type: 'object', properties: { to: { type: 'string' } } } }],
      })
      .finalMessage();
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toMatchObject([{ type: 'tool_use', name: 'send', input: { to: '[EMAIL]' } }]);
  });

  it("checks the arguments of the assistant's tool calls in the request", async () => {
    openaiFake.configure({ reply: 'Done.' });
    const history = (args: string): OpenAI.ChatCompletionMessageParam[] => [
      { role: 'user', content: 'Mail Jane' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'send', arguments: args } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'sent' },
    ];
    await client.chat.completions.create({
      model: 'tools',
      messages: history('{"to":"jane\\u0040example.com"}'),
      tools: [sendTool],
    });
    expect(openaiFake.lastRequest().body).toMatchObject({
      messages: [{}, { tool_calls: [{ function: { arguments: '{"to":"[EMAIL]"}' } }] }, {}],
    });

    const before = openaiFake.requests.length;
    const error = await client.chat.completions
      .create({ model: 'tools', messages: history('{"sql":"drop table users"}'), tools: [sendTool] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, code: 'guardrail_blocked', error: { rule: 'no-drop' } });
    expect(openaiFake.requests.length).toBe(before);
  });

  it('records the decisions of streams and tool calls, meters blocked streams and counts them', async () => {
    await world.gateway.flushUsage();
    const rows = async () => world.db.aiCallLog.findMany({ where: { apiId: seeded.api.id } });
    await eventually(async () => (await rows()).length >= 15, 5_000);
    const logged = await rows();
    const decisions = logged.flatMap((row) => (row.guardrails ?? []) as { rule: string; action: string }[]);
    const has = (rule: string, action: string) =>
      decisions.some((d) => d.rule === rule && d.action === action);
    expect(has('answer-shape', 'block')).toBe(true);
    expect(has('safety-out', 'block')).toBe(true);
    expect(has('safety-closed', 'block')).toBe(true);
    expect(has('no-drop', 'block')).toBe(true);
    expect(has('pii-args', 'redact')).toBe(true);
    // a stream that failed the schema is metered with the provider's own count (read to its end)
    const schemaFail = logged.find(
      (row) =>
        row.stream && row.model === 'json' && row.surface === 'chat' && row.errorCode === 'guardrail_blocked',
    );
    expect(schemaFail).toMatchObject({ status: 200, tokensOut: 2, tokensEstimated: false });
    const moderated = logged.filter((row) => row.stream && row.model === 'moderated');
    expect(moderated.map((row) => row.errorCode).sort()).toEqual(['guardrail_blocked', null]);

    const metrics = await call(world.gateway.url, '/metrics');
    const api = seeded.api.id;
    expect(metrics.text).toContain(
      `gateway_ai_guardrail_decisions_total{api="${api}",rule_type="json_schema",action="block"} 2`,
    );
    expect(metrics.text).toContain(
      `gateway_ai_guardrail_decisions_total{api="${api}",rule_type="moderation",action="block"} 3`,
    );
  });
});
