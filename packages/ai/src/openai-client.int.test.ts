import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayStandin, startGatewayStandin } from '../../../test/fakes/llm/gateway-standin.ts';
import { DEFAULT_REPLY, fakeEmbedding } from '../../../test/fakes/llm/script.ts';
import { type FakeFlavor, type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';

/** Registers a test only for the cases it applies to, instead of leaving skipped placeholders. */
const itWhen = (condition: boolean) => (name: string, fn: () => Promise<void>) => {
  if (condition) it(name, fn);
};

/*
 * The official openai client, pointed at a stand-in gateway built from this package, over every provider:
 * what the client parses (including its streaming helpers) is exactly what the unified layer produces.
 */

const ROUTES: { name: string; flavor: FakeFlavor; provider: string; model: string; embeddings: boolean }[] = [
  { name: 'via-openai', flavor: 'openai', provider: 'openai', model: 'gpt-4o-mini', embeddings: true },
  { name: 'via-azure', flavor: 'azure', provider: 'azure', model: 'prod-deploy', embeddings: true },
  {
    name: 'via-anthropic',
    flavor: 'anthropic',
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    embeddings: false,
  },
  { name: 'via-gemini', flavor: 'gemini', provider: 'gemini', model: 'gemini-2.0-flash', embeddings: true },
  {
    name: 'via-mistral',
    flavor: 'mistral',
    provider: 'mistral',
    model: 'mistral-small-latest',
    embeddings: true,
  },
];

const WEATHER_TOOL: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather',
    parameters: { type: 'object', properties: { location: { type: 'string' } } },
  },
};
const MESSAGES: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
  { role: 'user', content: 'What is the weather in Paris?' },
];

const fakes = new Map<string, FakeLlm>();
let gateway: GatewayStandin;
let client: OpenAI;

beforeAll(async () => {
  const routes: Parameters<typeof startGatewayStandin>[0] = {};
  for (const route of ROUTES) {
    const fake = await startFakeLlm({ flavor: route.flavor });
    fakes.set(route.name, fake);
    routes[route.name] = {
      provider: route.provider,
      model: route.model,
      credential: { apiKey: fake.apiKey, baseUrl: fake.baseUrl, apiVersion: '2024-10-21' },
    };
  }
  gateway = await startGatewayStandin(routes);
  client = new OpenAI({ apiKey: gateway.apiKey, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await gateway.close();
  for (const fake of fakes.values()) await fake.close();
});

describe.each(ROUTES)('openai client → stand-in gateway → $provider', (route) => {
  const fake = () => fakes.get(route.name) as FakeLlm;

  it('creates a chat completion', async () => {
    const completion = await client.chat.completions.create({ model: route.name, messages: MESSAGES });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]?.message.content).toBe(DEFAULT_REPLY);
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.prompt_tokens).toBe(6);
    expect(completion.usage?.completion_tokens).toBe(DEFAULT_REPLY.split(' ').length);
  });

  it('streams with a final usage chunk when asked, and without one otherwise', async () => {
    const stream = await client.chat.completions.create({
      model: route.name,
      messages: MESSAGES,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    const usageChunks: OpenAI.Completions.CompletionUsage[] = [];
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usageChunks.push(chunk.usage);
    }
    expect(text).toBe(DEFAULT_REPLY);
    expect(usageChunks).toHaveLength(1);
    expect(usageChunks[0]).toMatchObject({
      prompt_tokens: 6,
      completion_tokens: DEFAULT_REPLY.split(' ').length,
      total_tokens: 6 + DEFAULT_REPLY.split(' ').length,
    });

    const plain = await client.chat.completions.create({
      model: route.name,
      messages: MESSAGES,
      stream: true,
    });
    let sawUsage = false;
    for await (const chunk of plain) if (chunk.usage) sawUsage = true;
    expect(sawUsage).toBe(false);
    expect(gateway.metered.at(-1)?.usage.totalTokens).toBe(6 + DEFAULT_REPLY.split(' ').length);
  });

  it("assembles streamed tool calls with the client's stream helper, then answers the tool result", async () => {
    const runner = client.chat.completions.stream({
      model: route.name,
      messages: MESSAGES,
      tools: [WEATHER_TOOL],
    });
    const streamed = await runner.finalChatCompletion();
    const call = streamed.choices[0]?.message.tool_calls?.[0];
    expect(streamed.choices[0]?.finish_reason).toBe('tool_calls');
    if (call?.type !== 'function') throw new Error('expected a function tool call');
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ location: 'Paris', unit: 'celsius' });

    const answer = await client.chat.completions.create({
      model: route.name,
      tools: [WEATHER_TOOL],
      messages: [
        ...MESSAGES,
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: '22 degrees' },
      ],
    });
    expect(answer.choices[0]?.message.content).toBe('The tool said: 22 degrees');
  });

  itWhen(route.embeddings)('embeds through the client default (base64) path', async () => {
    const result = await client.embeddings.create({ model: route.name, input: ['alpha', 'beta gamma'] });
    expect(result.data).toHaveLength(2);
    expect(Array.from(Float32Array.from(result.data[1]?.embedding ?? []))).toEqual(
      Array.from(Float32Array.from(fakeEmbedding('beta gamma', 8))),
    );
    expect(result.usage.prompt_tokens).toBeGreaterThan(0);
  });

  itWhen(!route.embeddings)('answers embeddings it cannot serve with a 400 the client raises', async () => {
    await expect(client.embeddings.create({ model: route.name, input: 'x' })).rejects.toBeInstanceOf(
      OpenAI.BadRequestError,
    );
  });

  it('raises RateLimitError for an upstream 429, with Retry-After', async () => {
    fake().failNext({ status: 429, message: 'Slow down please.', retryAfterSeconds: 2 });
    const error = await client.chat.completions
      .create({ model: route.name, messages: MESSAGES })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const rateLimited = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(rateLimited.status).toBe(429);
    expect(rateLimited.message).toContain('Slow down please.');
    expect(rateLimited.headers.get('retry-after')).toBe('2');
  });

  it('raises BadRequestError for an upstream 400', async () => {
    fake().failNext({ status: 400, message: 'That will not do.' });
    const error = await client.chat.completions
      .create({ model: route.name, messages: MESSAGES, stream: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain('That will not do.');
  });

  it('raises an APIError when the stream breaks midway', async () => {
    fake().failStream({ afterEvents: 4, mode: 'error_event' });
    const stream = await client.chat.completions.create({
      model: route.name,
      messages: MESSAGES,
      stream: true,
    });
    let text = '';
    const consume = async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    };
    await expect(consume()).rejects.toBeInstanceOf(OpenAI.APIError);
    expect(DEFAULT_REPLY.startsWith(text)).toBe(true);
    expect(text.length).toBeGreaterThan(0);
  });
});

describe('openai client → stand-in gateway, gateway-side answers', () => {
  it('validates requests with a 400 naming the parameter', async () => {
    const error = await client.chat.completions
      .create({ model: 'via-openai', messages: MESSAGES, temperature: 5 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('temperature');
  });

  it('answers unknown models with 404 and lists the routed ones', async () => {
    await expect(
      client.chat.completions.create({ model: 'nope', messages: MESSAGES }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const models = [];
    for await (const model of client.models.list()) models.push(model.id);
    expect(models).toEqual(ROUTES.map((route) => route.name));
  });
});
