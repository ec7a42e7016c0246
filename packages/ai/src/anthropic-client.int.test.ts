import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayStandin, startGatewayStandin } from '../../../test/fakes/llm/gateway-standin.ts';
import { DEFAULT_REPLY } from '../../../test/fakes/llm/script.ts';
import { type FakeFlavor, type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';

/*
 * The official @anthropic-ai/sdk client against the Anthropic-compatible surface (POST /v1/messages) of a
 * stand-in gateway, served by every provider: Anthropic's shapes and event stream come out of any of them.
 */

const ROUTES: { name: string; flavor: FakeFlavor; provider: string; model: string }[] = [
  { name: 'claude-via-anthropic', flavor: 'anthropic', provider: 'anthropic', model: 'claude-sonnet-4-5' },
  { name: 'claude-via-openai', flavor: 'openai', provider: 'openai', model: 'gpt-4o-mini' },
  { name: 'claude-via-azure', flavor: 'azure', provider: 'azure', model: 'prod-deploy' },
  { name: 'claude-via-gemini', flavor: 'gemini', provider: 'gemini', model: 'gemini-2.0-flash' },
  { name: 'claude-via-mistral', flavor: 'mistral', provider: 'mistral', model: 'mistral-small-latest' },
];

const REPLY_WORDS = DEFAULT_REPLY.split(' ').length;
const MESSAGES: Anthropic.MessageParam[] = [{ role: 'user', content: 'What is the weather in Paris?' }];
const WEATHER_TOOL: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Current weather',
  input_schema: { type: 'object', properties: { location: { type: 'string' } } },
};

const fakes = new Map<string, FakeLlm>();
let gateway: GatewayStandin;
let client: Anthropic;

beforeAll(async () => {
  const routes: Parameters<typeof startGatewayStandin>[0] = {};
  for (const route of ROUTES) {
    const fake = await startFakeLlm({ flavor: route.flavor });
    fakes.set(route.name, fake);
    routes[route.name] = {
      provider: route.provider,
      model: route.model,
      credential: { apiKey: fake.apiKey, baseUrl: fake.baseUrl },
    };
  }
  gateway = await startGatewayStandin(routes);
  client = new Anthropic({ apiKey: gateway.apiKey, baseURL: gateway.url, maxRetries: 0 });
});

afterAll(async () => {
  await gateway.close();
  for (const fake of fakes.values()) await fake.close();
});

describe.each(ROUTES)('anthropic client → /v1/messages → $provider', (route) => {
  const fake = () => fakes.get(route.name) as FakeLlm;

  it('creates a message', async () => {
    const message = await client.messages.create({ model: route.name, max_tokens: 256, messages: MESSAGES });
    expect(message.type).toBe('message');
    expect(message.role).toBe('assistant');
    expect(message.content).toEqual([{ type: 'text', text: DEFAULT_REPLY }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: 6, output_tokens: REPLY_WORDS });
  });

  it("streams text through the SDK's stream helper, with usage in the final message", async () => {
    const stream = client.messages.stream({ model: route.name, max_tokens: 256, messages: MESSAGES });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const message = await stream.finalMessage();
    expect(text).toBe(DEFAULT_REPLY);
    expect(message.content).toHaveLength(1);
    expect(message.content[0]).toMatchObject({ type: 'text', text: DEFAULT_REPLY });
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: 6, output_tokens: REPLY_WORDS });
  });

  it('sends the raw event types in protocol order', async () => {
    const stream = await client.messages.create({
      model: route.name,
      max_tokens: 256,
      messages: MESSAGES,
      stream: true,
    });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types[0]).toBe('message_start');
    expect(types[1]).toBe('content_block_start');
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(types.filter((type) => type === 'content_block_delta')).toHaveLength(REPLY_WORDS);
  });

  it('streams a tool call and then answers the tool result', async () => {
    const stream = client.messages.stream({
      model: route.name,
      max_tokens: 256,
      messages: MESSAGES,
      tools: [WEATHER_TOOL],
    });
    const message = await stream.finalMessage();
    expect(message.stop_reason).toBe('tool_use');
    const toolUse = message.content.find(
      (block): block is Anthropic.ToolUseBlock => block.type === 'tool_use',
    );
    expect(toolUse).toMatchObject({ name: 'get_weather', input: { location: 'Paris', unit: 'celsius' } });
    if (!toolUse) throw new Error('no tool_use block');
    const answer = await client.messages.create({
      model: route.name,
      max_tokens: 256,
      tools: [WEATHER_TOOL],
      messages: [
        ...MESSAGES,
        { role: 'assistant', content: message.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: '22 degrees' }] },
      ],
    });
    expect(answer.content).toEqual([{ type: 'text', text: 'The tool said: 22 degrees' }]);
  });

  it('raises RateLimitError for an upstream 429', async () => {
    fake().failNext({ status: 429, message: 'Too many requests.', retryAfterSeconds: 3 });
    const error = await client.messages
      .create({ model: route.name, max_tokens: 64, messages: MESSAGES })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect((error as InstanceType<typeof Anthropic.RateLimitError>).headers?.get('retry-after')).toBe('3');
  });

  it('raises an APIError when the stream breaks midway', async () => {
    fake().failStream({ afterEvents: 5, mode: 'error_event' });
    const stream = client.messages.stream({ model: route.name, max_tokens: 64, messages: MESSAGES });
    await expect(stream.finalMessage()).rejects.toBeInstanceOf(Anthropic.APIError);
  });
});

describe('anthropic client → /v1/messages, gateway-side answers', () => {
  it("validates requests in Anthropic's error shape", async () => {
    const error = await client.messages
      .create({
        model: 'claude-via-anthropic',
        messages: MESSAGES,
      } as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as Error).message).toContain('max_tokens: Field required');
  });

  it('refuses a wrong key with AuthenticationError', async () => {
    const stranger = new Anthropic({ apiKey: 'wrong', baseURL: gateway.url, maxRetries: 0 });
    await expect(
      stranger.messages.create({ model: 'claude-via-anthropic', max_tokens: 8, messages: MESSAGES }),
    ).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
  });
});
