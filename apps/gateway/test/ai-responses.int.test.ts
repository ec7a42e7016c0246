import { generateApiKey } from '@portcullis/core/keys';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countWords, DEFAULT_REPLY, splitTokens } from '../../../test/fakes/llm/script.ts';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';
import { eventually } from './harness.ts';

/*
 * The Responses API surface through the official `openai` client: plain and streamed answers over an
 * OpenAI, Anthropic and Gemini targets, function calling, structured output, stored conversations
 * (previous_response_id, GET, DELETE) scoped to the calling app, and streams that break or are abandoned
 * (refusals: ai-responses-refusals.int.test.ts).
 */

const KEY = 'sk-responses-secret-000000000';
const WEATHER = { city: 'Oslo', celsius: 4 };
const WEATHER_SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string' }, celsius: { type: 'number' } },
  required: ['city', 'celsius'],
  additionalProperties: false,
};
const WEATHER_TOOL = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};
const replyWords = splitTokens(DEFAULT_REPLY).length;

describe('AI Responses API', () => {
  let world: AiWorld;
  let openaiFake: FakeLlm;
  let anthropicFake: FakeLlm;
  let geminiFake: FakeLlm;
  let seeded: Awaited<ReturnType<typeof seedAiApi>>;
  let client: OpenAI;
  let otherApp: OpenAI;

  beforeAll(async () => {
    world = await startAiWorld(false);
    openaiFake = await startFakeLlm({ flavor: 'openai', apiKey: KEY, toolArguments: WEATHER });
    anthropicFake = await startFakeLlm({ flavor: 'anthropic', apiKey: KEY, toolArguments: WEATHER });
    geminiFake = await startFakeLlm({ flavor: 'gemini', apiKey: KEY, toolArguments: WEATHER });
    seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [
        { provider: 'openai', baseUrl: openaiFake.baseUrl, secret: KEY },
        { provider: 'anthropic', baseUrl: anthropicFake.baseUrl, secret: KEY },
        { provider: 'gemini', baseUrl: geminiFake.baseUrl, secret: KEY },
      ],
      ai: ([openaiId, anthropicId, geminiId]) => ({
        routes: [
          { name: 'fast', targets: [{ credentialId: openaiId, model: 'gpt-4o-mini' }] },
          { name: 'smart', targets: [{ credentialId: anthropicId, model: 'claude-sonnet-4-5' }] },
          { name: 'gem', targets: [{ credentialId: geminiId, model: 'gemini-2.0-flash' }] },
        ],
      }),
    });
    client = new OpenAI({ apiKey: seeded.consumer.plaintext, baseURL: `${seeded.base}/v1`, maxRetries: 0 });
    // another app of the same consumer org, subscribed to the same plan
    const app = await world.db.app.create({ data: { orgId: seeded.consumer.org.id, name: 'second app' } });
    await world.db.subscription.create({ data: { appId: app.id, planId: seeded.plan.id, status: 'ACTIVE' } });
    const key = generateApiKey();
    await world.db.apiKey.create({
      data: { appId: app.id, name: 'second', hash: key.hash, prefix: key.prefix, last4: key.last4 },
    });
    otherApp = new OpenAI({ apiKey: key.plaintext, baseURL: `${seeded.base}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await world?.close();
    await openaiFake?.close();
    await anthropicFake?.close();
    await geminiFake?.close();
  });

  it('answers over an OpenAI target, meters the tokens and logs the call as surface responses', async () => {
    const response = await client.responses.create({
      model: 'fast',
      input: 'Say hello to the gateway',
      instructions: 'Be brief',
    });
    expect(response).toMatchObject({ object: 'response', status: 'completed', model: 'fast' });
    expect(response.id).toMatch(/^resp_[0-9a-f]{48}$/);
    expect(response.output_text).toBe(DEFAULT_REPLY);
    expect(response.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed' });
    const promptTokens = countWords(['Be brief', 'Say hello to the gateway']);
    expect(response.usage).toMatchObject({
      input_tokens: promptTokens,
      output_tokens: replyWords,
      total_tokens: promptTokens + replyWords,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens_details: { reasoning_tokens: 0 },
    });
    expect(openaiFake.lastRequest()).toMatchObject({
      path: '/v1/chat/completions',
      body: {
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: 'Be brief' },
          { role: 'user', content: 'Say hello to the gateway' },
        ],
      },
    });
    await world.usageSettled();
    const rollups = await world.db.usageRollup.findMany({
      where: { subscriptionId: seeded.consumer.subscription.id },
    });
    expect(rollups.reduce((sum, r) => sum + r.tokensOut, 0n)).toBeGreaterThanOrEqual(BigInt(replyWords));
    await eventually(
      async () =>
        (await world.db.aiCallLog.count({ where: { apiId: seeded.api.id, surface: 'responses' } })) > 0,
      3_000,
    );
    const row = await world.db.aiCallLog.findFirstOrThrow({
      where: { apiId: seeded.api.id, surface: 'responses' },
    });
    expect(row).toMatchObject({ model: 'fast', provider: 'openai', status: 200, tokensOut: replyWords });
  });

  it('streams the documented event sequence over OpenAI, Anthropic and Gemini targets', async () => {
    for (const model of ['fast', 'smart', 'gem']) {
      const stream = client.responses.stream({ model, input: 'Stream to me' });
      const types: string[] = [];
      const sequence: number[] = [];
      for await (const event of stream) {
        types.push(event.type);
        sequence.push(event.sequence_number);
      }
      const final = await stream.finalResponse();
      expect(final.output_text).toBe(DEFAULT_REPLY);
      expect(final.status).toBe('completed');
      expect(final.usage?.output_tokens).toBe(replyWords);
      expect(sequence).toEqual(types.map((_, i) => i));
      const deltas = types.filter((type) => type === 'response.output_text.delta').length;
      expect(deltas).toBe(replyWords);
      expect(types.filter((type) => type !== 'response.output_text.delta')).toEqual([
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.content_part.added',
        'response.output_text.done',
        'response.content_part.done',
        'response.output_item.done',
        'response.completed',
      ]);
      // the stored id is usable as soon as the client has the completed response
      const fetched = await client.responses.retrieve(final.id);
      expect(fetched.output_text).toBe(DEFAULT_REPLY);
    }
  });

  it('runs a function-calling round trip, streamed and not, over every provider', async () => {
    for (const model of ['fast', 'smart', 'gem']) {
      const first = await client.responses.create({
        model,
        input: 'What is the weather in Oslo?',
        tools: [WEATHER_TOOL],
      });
      const call = first.output.find((item) => item.type === 'function_call');
      expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', status: 'completed' });
      if (call?.type !== 'function_call') throw new Error('no function call');
      expect(JSON.parse(call.arguments)).toEqual(WEATHER);
      expect(call.call_id).toBeTruthy();

      const chained = await client.responses.create({
        model,
        previous_response_id: first.id,
        input: [{ type: 'function_call_output', call_id: call.call_id, output: 'sunny, 4 degrees' }],
        tools: [WEATHER_TOOL],
      });
      expect(chained.output_text).toBe('The tool said: sunny, 4 degrees');
      expect(chained.previous_response_id).toBe(first.id);

      // the same conversation sent by the client itself, without stored state
      const manual = await client.responses.create({
        model,
        store: false,
        input: [
          { role: 'user', content: 'What is the weather in Oslo?' },
          ...first.output.filter((item) => item.type === 'function_call'),
          { type: 'function_call_output', call_id: call.call_id, output: 'rain' },
        ],
        tools: [WEATHER_TOOL],
      });
      expect(manual.output_text).toBe('The tool said: rain');

      const stream = client.responses.stream({ model, input: 'Weather?', tools: [WEATHER_TOOL] });
      const types = new Set<string>();
      for await (const event of stream) types.add(event.type);
      const streamed = await stream.finalResponse();
      expect(types).toContain('response.function_call_arguments.delta');
      expect(types).toContain('response.function_call_arguments.done');
      const streamedCall = streamed.output.find((item) => item.type === 'function_call');
      expect(streamedCall?.type === 'function_call' && JSON.parse(streamedCall.arguments)).toEqual(WEATHER);
    }
  });

  it('passes text.format json_schema on as structured output (a forced tool on Anthropic)', async () => {
    const format = {
      type: 'json_schema' as const,
      name: 'weather_report',
      schema: WEATHER_SCHEMA,
      strict: true,
    };
    const smart = await client.responses.create({
      model: 'smart',
      input: 'Weather as JSON',
      text: { format },
    });
    expect(JSON.parse(smart.output_text)).toEqual(WEATHER);
    expect(smart.text?.format).toMatchObject({ type: 'json_schema', name: 'weather_report' });
    expect(anthropicFake.lastRequest().body).toMatchObject({
      tools: [{ name: 'weather_report', input_schema: WEATHER_SCHEMA }],
      tool_choice: { type: 'tool', name: 'weather_report' },
    });
    await client.responses.create({ model: 'fast', input: 'Weather as JSON', text: { format } });
    expect(openaiFake.lastRequest().body).toMatchObject({
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'weather_report', schema: WEATHER_SCHEMA },
      },
    });
    await client.responses.create({
      model: 'fast',
      input: 'Any JSON',
      text: { format: { type: 'json_object' } },
    });
    expect(openaiFake.lastRequest().body).toMatchObject({ response_format: { type: 'json_object' } });
  });

  it('continues a stored conversation, and GET and DELETE act on the stored response', async () => {
    const first = await client.responses.create({
      model: 'smart',
      input: 'My name is Ada',
      instructions: 'Be kind',
    });
    const second = await client.responses.create({
      model: 'smart',
      previous_response_id: first.id,
      input: 'What is my name?',
    });
    expect(second.output_text).toBe(DEFAULT_REPLY);
    // earlier turns went to the provider before the new input; the old instructions did not
    expect(anthropicFake.lastRequest().body).toMatchObject({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'My name is Ada' }] },
        { role: 'assistant', content: [{ type: 'text', text: DEFAULT_REPLY }] },
        { role: 'user', content: [{ type: 'text', text: 'What is my name?' }] },
      ],
    });
    expect(JSON.stringify(anthropicFake.lastRequest().body)).not.toContain('Be kind');

    const fetched = await client.responses.retrieve(second.id);
    expect(fetched).toMatchObject({ id: second.id, status: 'completed', previous_response_id: first.id });
    await client.responses.delete(second.id);
    await expect(client.responses.retrieve(second.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.responses.delete(second.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(
      client.responses.create({ model: 'smart', previous_response_id: second.id, input: 'Hi' }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);

    const unstored = await client.responses.create({ model: 'fast', input: 'Forget me', store: false });
    expect(unstored).toMatchObject({ store: false });
    await expect(client.responses.retrieve(unstored.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('answers 404 to another app naming a stored response, even of the same tenant', async () => {
    const mine = await client.responses.create({ model: 'fast', input: 'Private notes' });
    const before = openaiFake.requests.length;
    const chained = await otherApp.responses
      .create({ model: 'fast', previous_response_id: mine.id, input: 'Show them' })
      .catch((e: unknown) => e);
    expect(chained).toBeInstanceOf(OpenAI.NotFoundError);
    expect((chained as InstanceType<typeof OpenAI.NotFoundError>).param).toBe('previous_response_id');
    expect(String((chained as Error).message)).not.toContain('Private');
    expect(openaiFake.requests.length).toBe(before);
    await expect(otherApp.responses.retrieve(mine.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(otherApp.responses.delete(mine.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    // still there for its own app
    expect((await client.responses.retrieve(mine.id)).output_text).toBe(DEFAULT_REPLY);
  });

  it('ends a stream that breaks with error and response.failed, stores nothing, and passes provider errors on', async () => {
    anthropicFake.failStream({ afterEvents: 4, mode: 'error_event' });
    const events = await client.responses.create({ model: 'smart', input: 'Break please', stream: true });
    const seen: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of events) seen.push(event);
    const types = seen.map((event) => event.type);
    expect(types.slice(0, 2)).toEqual(['response.created', 'response.in_progress']);
    expect(types.slice(-2)).toEqual(['error', 'response.failed']);
    const failed = seen.at(-1);
    if (failed?.type !== 'response.failed') throw new Error('no response.failed');
    expect(failed.response.status).toBe('failed');
    expect(failed.response.error?.message).toBeTruthy();
    await expect(client.responses.retrieve(failed.response.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);

    openaiFake.failNext({ status: 400, message: 'context too long for this model' });
    const refused = await client.responses.create({ model: 'fast', input: 'hi' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect((refused as Error).message).toContain('context too long');
  });

  it('meters a stream the client abandons mid-way, as chat streams are', async () => {
    // slow enough that the gateway sees the client gone long before the provider is done
    openaiFake.configure({ tokenDelayMs: 100 });
    const controller = new AbortController();
    const events = await client.responses.create(
      { model: 'fast', input: 'Abandon me', stream: true },
      { signal: controller.signal },
    );
    let deltas = 0;
    await (async () => {
      for await (const event of events) {
        if (event.type === 'response.output_text.delta' && ++deltas === 3) controller.abort();
      }
    })().catch(() => undefined);
    await world.gateway.flushUsage();
    await eventually(
      async () => (await world.db.aiCallLog.count({ where: { apiId: seeded.api.id, status: 499 } })) > 0,
      5_000,
    );
    openaiFake.configure({ tokenDelayMs: 0 });
    const row = await world.db.aiCallLog.findFirstOrThrow({ where: { apiId: seeded.api.id, status: 499 } });
    // the provider reports usage only at its end: what was used up to the abort is estimated
    expect(row).toMatchObject({ surface: 'responses', stream: true, tokensEstimated: true });
    expect(row.tokensIn).toBeGreaterThan(0);
    expect(row.tokensOut).toBeGreaterThanOrEqual(3);
    expect(row.tokensOut).toBeLessThan(replyWords);
  });
});
