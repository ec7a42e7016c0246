import Anthropic from '@anthropic-ai/sdk';
import { estimateTokens, loadTokenizer } from '@portcullis/ai/tokens';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countWords, splitTokens } from '../../../test/fakes/llm/script.ts';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';

/*
 * What the official clients read from the gateway's two surfaces: the model name they asked for, stop
 * sequences, the usage Anthropic's stream announces, and structured output on Anthropic targets.
 */

const KEY = 'sk-surface-secret-0000000000';
const REPLY = 'Counting: one, two, three, four.';
const WEATHER = { city: 'Oslo', celsius: 4 };
const WEATHER_SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string' }, celsius: { type: 'number' } },
  required: ['city', 'celsius'],
  additionalProperties: false,
};

describe('AI surface answers', () => {
  let world: AiWorld;
  let openaiFake: FakeLlm;
  let anthropicFake: FakeLlm;
  let vllmFake: FakeLlm;
  let openai: OpenAI;
  let anthropic: Anthropic;

  beforeAll(async () => {
    world = await startAiWorld(false);
    // Real APIs answer with the dated snapshot that served the name asked for.
    openaiFake = await startFakeLlm({
      flavor: 'openai',
      apiKey: KEY,
      reply: REPLY,
      snapshotSuffix: '-2024-07-18',
    });
    anthropicFake = await startFakeLlm({
      flavor: 'anthropic',
      apiKey: KEY,
      reply: REPLY,
      snapshotSuffix: '-20250929',
      toolArguments: WEATHER,
    });
    vllmFake = await startFakeLlm({ flavor: 'openai', apiKey: KEY, reply: REPLY, stopReasonField: true });
    const seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [
        { provider: 'openai', baseUrl: openaiFake.baseUrl, secret: KEY },
        { provider: 'anthropic', baseUrl: anthropicFake.baseUrl, secret: KEY },
        { provider: 'vllm', baseUrl: vllmFake.baseUrl, secret: KEY },
      ],
      ai: ([openaiId, anthropicId, vllmId]) => ({
        routes: [
          { name: 'fast', targets: [{ credentialId: openaiId, model: 'gpt-4o-mini' }] },
          { name: 'smart', targets: [{ credentialId: anthropicId, model: 'claude-sonnet-4-5' }] },
          { name: 'local', targets: [{ credentialId: vllmId, model: 'llama-3.1-8b' }] },
          { name: 'embed', targets: [{ credentialId: openaiId, model: 'text-embedding-3-small' }] },
        ],
      }),
    });
    openai = new OpenAI({ apiKey: seeded.consumer.plaintext, baseURL: `${seeded.base}/v1`, maxRetries: 0 });
    anthropic = new Anthropic({ apiKey: seeded.consumer.plaintext, baseURL: seeded.base, maxRetries: 0 });
  });
  afterAll(async () => {
    await world?.close();
    await openaiFake?.close();
    await anthropicFake?.close();
    await vllmFake?.close();
  });

  const user = (content: string) => [{ role: 'user' as const, content }];

  it('answers with the model name the caller asked for, streamed and not, on both surfaces', async () => {
    for (const model of ['fast', 'smart']) {
      const completion = await openai.chat.completions.create({ model, messages: user('Hi') });
      expect(completion.model).toBe(model);
      const stream = await openai.chat.completions.create({ model, messages: user('Hi'), stream: true });
      const models = new Set<string>();
      for await (const chunk of stream) models.add(chunk.model);
      expect([...models]).toEqual([model]);

      const message = await anthropic.messages.create({ model, max_tokens: 50, messages: user('Hi') });
      expect(message.model).toBe(model);
      const streamed = await anthropic.messages
        .stream({ model, max_tokens: 50, messages: user('Hi') })
        .finalMessage();
      expect(streamed.model).toBe(model);
    }
    const embedded = await openai.embeddings.create({ model: 'embed', input: 'vector' });
    expect(embedded.model).toBe('embed');
  });

  it("reports the caller's stop sequence that ended an Anthropic target's answer, streamed and not", async () => {
    const ask = {
      model: 'smart',
      max_tokens: 50,
      messages: user('Count'),
      stop_sequences: ['###', ', three'],
    };
    const message = await anthropic.messages.create(ask);
    expect(message.content).toEqual([{ type: 'text', text: 'Counting: one, two' }]);
    expect(message).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: ', three' });

    const events = await anthropic.messages.create({ ...ask, stream: true });
    let delta: Anthropic.MessageDeltaEvent | undefined;
    for await (const event of events) if (event.type === 'message_delta') delta = event;
    expect(delta?.delta).toEqual({ stop_reason: 'stop_sequence', stop_sequence: ', three' });
    const streamed = await anthropic.messages.stream(ask).finalMessage();
    expect(streamed).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: ', three' });

    // the OpenAI surface keeps finish_reason "stop" and names the sequence beside it
    const completion = await openai.chat.completions.create({
      model: 'smart',
      messages: user('Count'),
      stop: [', three'],
    });
    expect(completion.choices[0]).toMatchObject({ finish_reason: 'stop', stop_sequence: ', three' });
  });

  it('reports a stop sequence from an OpenAI-style target only when the provider says which one it was', async () => {
    const ask = { max_tokens: 50, messages: user('Count'), stop_sequences: [', three'] };
    // OpenAI's finish_reason "stop" is the same for a natural end: nothing to report but end_turn
    const plain = await anthropic.messages.create({ ...ask, model: 'fast' });
    expect(plain.content).toEqual([{ type: 'text', text: 'Counting: one, two' }]);
    expect(plain).toMatchObject({ stop_reason: 'end_turn', stop_sequence: null });
    // vLLM names the matched stop string
    const vllm = await anthropic.messages.create({ ...ask, model: 'local' });
    expect(vllm).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: ', three' });
    const streamed = await anthropic.messages.stream({ ...ask, model: 'local' }).finalMessage();
    expect(streamed).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: ', three' });
    const natural = await anthropic.messages.create({ ...ask, model: 'local', stop_sequences: ['###'] });
    expect(natural).toMatchObject({ stop_reason: 'end_turn', stop_sequence: null });
  });

  it("announces the input tokens in message_start (the provider's count, else an estimate) and the output in message_delta", async () => {
    const prompt = 'How many tokens is this prompt?';
    const usageOf = async (model: string) => {
      const events = await anthropic.messages.create({
        model,
        max_tokens: 50,
        messages: user(prompt),
        stream: true,
      });
      let start: Anthropic.Usage | undefined;
      let end: Anthropic.MessageDeltaUsage | undefined;
      for await (const event of events) {
        if (event.type === 'message_start') start = event.message.usage;
        if (event.type === 'message_delta') end = event.usage;
      }
      return { start, end };
    };
    const fromAnthropic = await usageOf('smart');
    expect(fromAnthropic.start?.input_tokens).toBe(countWords([prompt]));
    expect(fromAnthropic.end).toMatchObject({
      input_tokens: countWords([prompt]),
      output_tokens: splitTokens(REPLY).length,
    });

    await loadTokenizer('gpt-4o-mini');
    // OpenAI reports usage only at the end, which a paced stream has not reached when message_start goes out
    openaiFake.configure({ tokenDelayMs: 20 });
    const fromOpenAI = await usageOf('fast').finally(() => openaiFake.configure({ tokenDelayMs: 0 }));
    expect(fromOpenAI.start?.input_tokens).toBe(estimateTokens(user(prompt), 'gpt-4o-mini').tokens);
    // the final count is the provider's
    expect(fromOpenAI.end).toMatchObject({
      input_tokens: countWords([prompt]),
      output_tokens: splitTokens(REPLY).length,
    });
  });

  it('translates response_format json_schema and json_object for Anthropic targets into a forced tool', async () => {
    const responseFormat = {
      type: 'json_schema' as const,
      json_schema: { name: 'weather_report', schema: WEATHER_SCHEMA, strict: true },
    };
    const completion = await openai.chat.completions.create({
      model: 'smart',
      messages: user('Weather in Oslo as JSON'),
      response_format: responseFormat,
    });
    const choice = completion.choices[0];
    expect(JSON.parse(choice?.message.content ?? '')).toEqual(WEATHER);
    expect(choice?.finish_reason).toBe('stop');
    expect(choice?.message.tool_calls).toBeUndefined();
    expect(anthropicFake.lastRequest().body).toMatchObject({
      tools: [{ name: 'weather_report', input_schema: WEATHER_SCHEMA }],
      tool_choice: { type: 'tool', name: 'weather_report' },
    });

    const stream = await openai.chat.completions.create({
      model: 'smart',
      messages: user('Weather in Oslo as JSON'),
      response_format: responseFormat,
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(JSON.parse(text)).toEqual(WEATHER);

    const anyObject = await openai.chat.completions.create({
      model: 'smart',
      messages: user('Weather in Oslo as JSON'),
      response_format: { type: 'json_object' },
    });
    expect(JSON.parse(anyObject.choices[0]?.message.content ?? '')).toEqual(WEATHER);
  });

  it('refuses a json_schema a tool input cannot express with a 400 that says why', async () => {
    const error = await openai.chat.completions
      .create({
        model: 'smart',
        messages: user('List cities'),
        response_format: { type: 'json_schema', json_schema: { name: 'cities', schema: { type: 'array' } } },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const bad = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(bad.param).toBe('response_format');
    expect(bad.message).toContain('root must have "type": "object"');
  });
});
