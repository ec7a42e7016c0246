import { CREDENTIALS_REJECTED } from '@portcullis/ai/errors';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countWords, DEFAULT_REPLY, fakeEmbedding } from '../../../test/fakes/llm/script.ts';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';

/*
 * Cohere (Chat v2 and Embed v2) and the OpenAI-compatible presets through the gateway, called with the
 * official openai SDK.
 */

const KEY = 'co-live-key-1234567890';
const user = (content: string) => [{ role: 'user' as const, content }];
const PRESETS = ['xai', 'together', 'fireworks', 'perplexity'];

describe('AI gateway: Cohere and OpenAI-compatible presets', () => {
  let world: AiWorld;
  let cohere: FakeLlm;
  let openaiFake: FakeLlm;
  let client: OpenAI;
  let apiId: string;

  beforeAll(async () => {
    world = await startAiWorld(false);
    cohere = await startFakeLlm({ flavor: 'cohere', apiKey: KEY });
    openaiFake = await startFakeLlm({ flavor: 'openai', apiKey: KEY });
    const seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [
        { provider: 'cohere', baseUrl: cohere.origin, secret: KEY },
        { provider: 'cohere', baseUrl: cohere.origin, secret: 'co-revoked-key-000000' },
        ...PRESETS.map((provider) => ({ provider, baseUrl: openaiFake.baseUrl, secret: KEY })),
      ],
      ai: ([good, revoked, ...presets]) => ({
        routes: [
          { name: 'command', targets: [{ credentialId: good, model: 'command-a-03-2025' }] },
          { name: 'embed', targets: [{ credentialId: good, model: 'embed-v4.0' }] },
          { name: 'revoked', targets: [{ credentialId: revoked, model: 'command-a-03-2025' }] },
          ...PRESETS.map((name, i) => ({
            name,
            targets: [{ credentialId: presets[i], model: `${name}-model` }],
          })),
        ],
      }),
    });
    apiId = seeded.api.id;
    client = new OpenAI({ apiKey: seeded.consumer.plaintext, baseURL: `${seeded.base}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await world?.close();
    await cohere?.close();
    await openaiFake?.close();
  });

  it('answers through /v2/chat with the billed usage', async () => {
    const completion = await client.chat.completions.create({
      model: 'command',
      messages: [{ role: 'system', content: 'Be kind.' }, ...user('hello there')],
      top_p: 1,
    });
    expect(completion.choices[0]).toMatchObject({
      message: { content: DEFAULT_REPLY },
      finish_reason: 'stop',
    });
    // billed_units, not the larger `tokens` count that includes Cohere's own template
    expect(completion.usage).toMatchObject({
      prompt_tokens: 4,
      completion_tokens: countWords([DEFAULT_REPLY]),
    });
    const sent = cohere.lastRequest();
    expect(sent.path).toBe('/v2/chat');
    expect(sent.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(sent.body).toMatchObject({ model: 'command-a-03-2025', p: 0.99 });
  });

  it('streams text with usage at the end', async () => {
    const stream = await client.chat.completions.create({
      model: 'command',
      messages: user('stream it'),
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(DEFAULT_REPLY);
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ prompt_tokens: 2, completion_tokens: countWords([DEFAULT_REPLY]) });
    await world.gateway.flushUsage();
    const row = await world.db.aiCallLog.findFirst({
      where: { apiId, stream: true },
      orderBy: { at: 'desc' },
    });
    expect(row).toMatchObject({
      tokensIn: 2,
      tokensOut: countWords([DEFAULT_REPLY]),
      tokensEstimated: false,
    });
  });

  it('calls tools, streamed and not, and carries the result back', async () => {
    const tools = [
      {
        type: 'function' as const,
        function: {
          name: 'get_weather',
          parameters: { type: 'object', properties: { location: { type: 'string' } } },
        },
      },
    ];
    const first = await client.chat.completions.create({
      model: 'command',
      messages: user('weather?'),
      tools,
    });
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(JSON.parse(call.function.arguments)).toEqual({ location: 'Paris', unit: 'celsius' });

    const stream = await client.chat.completions.create({
      model: 'command',
      messages: user('weather?'),
      tools,
      stream: true,
    });
    let args = '';
    let name = '';
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta.tool_calls?.[0];
      name += delta?.function?.name ?? '';
      args += delta?.function?.arguments ?? '';
    }
    expect(name).toBe('get_weather');
    expect(JSON.parse(args)).toEqual({ location: 'Paris', unit: 'celsius' });

    const second = await client.chat.completions.create({
      model: 'command',
      tools,
      messages: [
        ...user('weather?'),
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: 'Sunny' },
      ],
    });
    expect(second.choices[0]?.message.content).toBe('The tool said: Sunny');
  });

  it('embeds through /v2/embed', async () => {
    const result = await client.embeddings.create({
      model: 'embed',
      input: ['one two', 'three'],
      encoding_format: 'float',
    });
    expect(result.data.map((d) => d.embedding)).toEqual([
      fakeEmbedding('one two', 8),
      fakeEmbedding('three', 8),
    ]);
    expect(result.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    expect(cohere.lastRequest().path).toBe('/v2/embed');
  });

  it('answers a key Cohere refuses with 502 upstream_credentials_rejected', async () => {
    const failed = await client.chat.completions
      .create({ model: 'revoked', messages: user('hi') })
      .catch((error: unknown) => error);
    expect((failed as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect((failed as InstanceType<typeof OpenAI.APIError>).code).toBe(CREDENTIALS_REJECTED);
  });

  it.each(PRESETS)('routes %s to its base URL with a bearer key', async (preset) => {
    const completion = await client.chat.completions.create({ model: preset, messages: user('hi') });
    expect(completion.choices[0]?.message.content).toBe(DEFAULT_REPLY);
    const sent = openaiFake.lastRequest();
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(sent.body).toMatchObject({ model: `${preset}-model` });
  });
});
