import Anthropic from '@anthropic-ai/sdk';
import { CREDENTIALS_REJECTED } from '@portcullis/ai/errors';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BEDROCK_FAKE_REGION, BEDROCK_TEST_SECRET } from '../../../test/fakes/llm/bedrock.ts';
import { countWords, DEFAULT_REPLY, splitTokens } from '../../../test/fakes/llm/script.ts';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';
import { eventually } from './harness.ts';

/*
 * Routes whose targets are Amazon Bedrock, through the gateway with Redis (usage through the durable
 * stream and the metering worker), called with the official openai and @anthropic-ai/sdk clients; the
 * Bedrock fake checks every SigV4 signature and streams AWS event-stream frames.
 */

const MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const [ACCESS_KEY_ID] = BEDROCK_TEST_SECRET.split(':');
const WRONG_SECRET = `${ACCESS_KEY_ID}:wrongSecretAccessKey/0123456789+abcdefghij`;
const REPLY_WORDS = splitTokens(DEFAULT_REPLY).length;
const WEATHER_TOOL: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather now', parameters: { type: 'object' } },
};

describe('AI gateway → Amazon Bedrock', () => {
  let world: AiWorld;
  let primary: FakeLlm;
  let backup: FakeLlm;
  let seeded: Awaited<ReturnType<typeof seedAiApi>>;
  let client: OpenAI;

  beforeAll(async () => {
    world = await startAiWorld(true);
    primary = await startFakeLlm({ flavor: 'bedrock', apiKey: BEDROCK_TEST_SECRET });
    backup = await startFakeLlm({ flavor: 'bedrock', apiKey: BEDROCK_TEST_SECRET, reply: 'from the backup' });
    const region = { 'aws-region': BEDROCK_FAKE_REGION };
    seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [
        { provider: 'bedrock', baseUrl: primary.baseUrl, secret: BEDROCK_TEST_SECRET, headers: region },
        { provider: 'bedrock', baseUrl: backup.baseUrl, secret: BEDROCK_TEST_SECRET, headers: region },
        { provider: 'bedrock', baseUrl: primary.baseUrl, secret: WRONG_SECRET, headers: region },
        { provider: 'bedrock', baseUrl: primary.baseUrl, secret: 'sk-not-aws-keys', headers: region },
      ],
      ai: ([ok, spare, wrong, unusable]) => ({
        routes: [
          { name: 'claude', maxAttempts: 1, targets: [{ credentialId: ok, model: MODEL }] },
          {
            name: 'claude-ha',
            maxAttempts: 2,
            targets: [
              { credentialId: ok, model: MODEL, weight: 1 },
              { credentialId: spare, model: MODEL, weight: 0 },
            ],
          },
          { name: 'wrong-key', targets: [{ credentialId: wrong, model: MODEL }] },
          { name: 'not-aws', targets: [{ credentialId: unusable, model: MODEL }] },
        ],
        logging: { logBodies: true },
      }),
      prices: [{ provider: 'bedrock', model: MODEL, inputPerMillion: '0.8', outputPerMillion: '4' }],
    });
    client = new OpenAI({ apiKey: seeded.consumer.plaintext, baseURL: `${seeded.base}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await world?.close();
    await primary?.close();
    await backup?.close();
  });

  const user = (content: string) => [{ role: 'user' as const, content }];
  const callRows = async (model: string, count: number) => {
    await eventually(async () => {
      await world.gateway.flushUsage();
      return (await world.db.aiCallLog.count({ where: { apiId: seeded.api.id, model } })) >= count;
    }, 3_000);
    return world.db.aiCallLog.findMany({ where: { apiId: seeded.api.id, model }, orderBy: { at: 'asc' } });
  };

  it('answers a chat completion from a signed Converse call and meters the provider tokens', async () => {
    const completion = await client.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'system', content: 'Be brief.' }, ...user('Hello from the gateway')],
    });
    expect(completion.choices[0]?.message.content).toBe(DEFAULT_REPLY);
    const promptTokens = countWords(['Be brief.', 'Hello from the gateway']);
    expect(completion.usage).toMatchObject({ prompt_tokens: promptTokens, completion_tokens: REPLY_WORDS });
    const sent = primary.lastRequest();
    expect(sent.path).toBe('/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse');
    expect(sent.headers.authorization).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/\\d{8}/${BEDROCK_FAKE_REGION}/bedrock/aws4_request`,
      ),
    );
    expect(sent.headers['aws-region']).toBeUndefined();

    await world.usageSettled();
    const rollups = await world.db.usageRollup.findMany({
      where: { subscriptionId: seeded.consumer.subscription.id },
    });
    expect(rollups.reduce((sum, r) => sum + r.tokensIn, 0n)).toBe(BigInt(promptTokens));
    expect(rollups.reduce((sum, r) => sum + r.tokensOut, 0n)).toBe(BigInt(REPLY_WORDS));
    const [row] = await callRows('claude', 1);
    expect(row).toMatchObject({
      provider: 'bedrock',
      providerModel: MODEL,
      status: 200,
      tokensEstimated: false,
    });
  });

  it('streams the event stream as SSE chunks with usage, logging time to first token', async () => {
    primary.configure({ tokenDelayMs: 5 });
    try {
      const stream = await client.chat.completions.create({
        model: 'claude',
        messages: user('Stream it please'),
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let usage: OpenAI.CompletionUsage | null | undefined;
      let finish: string | null | undefined;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
        if (chunk.usage) usage = chunk.usage;
      }
      expect(text).toBe(DEFAULT_REPLY);
      expect(finish).toBe('stop');
      expect(usage).toMatchObject({ prompt_tokens: 3, completion_tokens: REPLY_WORDS });
      expect(primary.lastRequest().path).toMatch(/\/converse-stream$/);
    } finally {
      primary.configure({ tokenDelayMs: 0 });
    }
    const rows = await callRows('claude', 2);
    const streamed = rows.find((r) => r.stream);
    expect(streamed).toMatchObject({
      tokensIn: 3,
      tokensOut: REPLY_WORDS,
      tokensEstimated: false,
      status: 200,
    });
    expect(streamed?.ttftMs).not.toBeNull();
  });

  it('calls tools and carries the results back, streamed and not', async () => {
    const first = await client.chat.completions.create({
      model: 'claude',
      messages: user('Weather in Paris?'),
      tools: [WEATHER_TOOL],
    });
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
    const args = call?.type === 'function' ? call.function.arguments : '';
    expect(JSON.parse(args)).toEqual({ location: 'Paris', unit: 'celsius' });

    const streamed = await client.chat.completions.create({
      model: 'claude',
      messages: user('Weather in Paris?'),
      tools: [WEATHER_TOOL],
      stream: true,
    });
    let streamedArgs = '';
    for await (const chunk of streamed)
      streamedArgs += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
    expect(JSON.parse(streamedArgs)).toEqual({ location: 'Paris', unit: 'celsius' });

    const second = await client.chat.completions.create({
      model: 'claude',
      messages: [
        ...user('Weather in Paris?'),
        { role: 'assistant', content: null, tool_calls: first.choices[0]?.message.tool_calls ?? [] },
        { role: 'tool', tool_call_id: call?.id ?? '', content: '22 degrees and sunny' },
      ],
      tools: [WEATHER_TOOL],
    });
    expect(second.choices[0]?.message.content).toBe('The tool said: 22 degrees and sunny');
    const body = primary.lastRequest().body as { messages: { content: Record<string, unknown>[] }[] };
    expect(body.messages[2]?.content[0]).toEqual({
      toolResult: { toolUseId: call?.id, content: [{ text: '22 degrees and sunny' }] },
    });
  });

  it('speaks the Anthropic Messages API over Bedrock, streamed and not', async () => {
    const anthropic = new Anthropic({
      apiKey: seeded.consumer.plaintext,
      baseURL: seeded.base,
      maxRetries: 0,
    });
    const message = await anthropic.messages.create({
      model: 'claude',
      max_tokens: 100,
      messages: user('Hello Claude on Bedrock'),
    });
    expect(message.content[0]).toMatchObject({ type: 'text', text: DEFAULT_REPLY });
    expect(message.usage).toMatchObject({ input_tokens: 4, output_tokens: REPLY_WORDS });
    expect(primary.lastRequest().body).toMatchObject({ inferenceConfig: { maxTokens: 100 } });

    const stream = anthropic.messages.stream({
      model: 'claude',
      max_tokens: 100,
      messages: user('Stream, Claude'),
    });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const final = await stream.finalMessage();
    expect(text).toBe(DEFAULT_REPLY);
    expect(final.usage.output_tokens).toBe(REPLY_WORDS);
  });

  it('falls back from a throttled Bedrock target, and answers 429 when no target is left', async () => {
    primary.failNext({ status: 429, message: 'Too many requests, please wait before trying again.' });
    const answered = await client.chat.completions.create({ model: 'claude-ha', messages: user('hi') });
    expect(answered.choices[0]?.message.content).toBe('from the backup');

    primary.failNext({ status: 429, message: 'Too many requests, please wait before trying again.' });
    const throttled = await client.chat.completions
      .create({ model: 'claude', messages: user('hi') })
      .catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(OpenAI.RateLimitError);
    expect((throttled as Error).message).toContain('Too many requests');

    // a throttling exception as the stream's first event is still a failure to fall back from
    primary.failStream({ afterEvents: 1, mode: 'error_event' });
    const stream = await client.chat.completions.create({
      model: 'claude-ha',
      messages: user('hi'),
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('from the backup');
    const rows = await callRows('claude-ha', 2);
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([
      [200, 2],
      [200, 2],
    ]);
  });

  it('ends a stream broken midway (an exception frame, a dropped connection) with an APIError, metering what was sent', async () => {
    for (const mode of ['error_event', 'drop'] as const) {
      primary.failStream({ afterEvents: 4, mode });
      const stream = await client.chat.completions.create({
        model: 'claude',
        messages: user('Break please'),
        stream: true,
      });
      let text = '';
      const consume = async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      };
      await expect(consume()).rejects.toBeInstanceOf(OpenAI.APIError);
      expect(text).toBe(splitTokens(DEFAULT_REPLY).slice(0, 3).join(''));
    }
    // Bedrock reports usage only at the end: both are metered with estimates, the output being what was sent
    await eventually(async () => {
      await world.gateway.flushUsage();
      const broken = await world.db.aiCallLog.findMany({
        where: { apiId: seeded.api.id, model: 'claude', stream: true, tokensEstimated: true },
      });
      return broken.length >= 2 && broken.every((r) => r.tokensIn > 0 && r.tokensOut > 0);
    }, 3_000);
  });

  it('passes a validation error on as a 400 with the provider message', async () => {
    primary.failNext({ status: 400, message: 'The model returned the following errors: bad temperature' });
    const refused = await client.chat.completions
      .create({ model: 'claude', messages: user('hi') })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect((refused as Error).message).toContain('bad temperature');
  });

  it('answers a signature Bedrock refuses with 502 upstream_credentials_rejected, streamed or not, quoting no key', async () => {
    for (const stream of [false, true]) {
      const error = await client.chat.completions
        .create({ model: 'wrong-key', messages: user('hi'), stream })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.InternalServerError);
      const refused = error as InstanceType<typeof OpenAI.InternalServerError>;
      expect(refused.status).toBe(502);
      expect(refused.code).toBe(CREDENTIALS_REJECTED);
      expect(JSON.stringify(refused.error)).not.toContain(ACCESS_KEY_ID);
    }
  });

  it('answers a credential that is not AWS keys with 502 provider_credential_invalid, without calling Bedrock', async () => {
    const before = primary.requests.length;
    const error = await client.chat.completions
      .create({ model: 'not-aws', messages: user('hi') })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.InternalServerError>).code).toBe(
      'provider_credential_invalid',
    );
    expect(primary.requests.length).toBe(before);
    await world.gateway.flushUsage();
    expect(world.logLines.join('\n')).not.toContain(BEDROCK_TEST_SECRET.split(':')[1]);
  });
});
