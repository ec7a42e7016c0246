import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  ThrottlingException,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BEDROCK_FAKE_REGION, BEDROCK_TEST_SECRET } from '../../../test/fakes/llm/bedrock.ts';
import { countWords, DEFAULT_REPLY, splitTokens } from '../../../test/fakes/llm/script.ts';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { type CompletionOutcome, callProvider, type StreamOutcome } from './call.ts';
import { CREDENTIALS_REJECTED } from './errors.ts';
import type { ChatCompletionChunk, ChatCompletionRequest } from './types.ts';

/*
 * The Bedrock fake checked with the official AWS SDK as its client (so its wire format, signature checks and
 * event stream are Bedrock's), then the adapter's calls against it: signed, streamed, failing.
 */

const [ACCESS_KEY_ID = '', SECRET_ACCESS_KEY = ''] = BEDROCK_TEST_SECRET.split(':');
const MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';

let fake: FakeLlm;
beforeAll(async () => {
  fake = await startFakeLlm({ flavor: 'bedrock', apiKey: BEDROCK_TEST_SECRET });
});
afterAll(async () => {
  await fake?.close();
});

const sdk = (secretAccessKey = SECRET_ACCESS_KEY, region = BEDROCK_FAKE_REGION) =>
  new BedrockRuntimeClient({
    region,
    endpoint: fake.origin,
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey },
    maxAttempts: 1,
    // the SDK's default for this client is HTTP/2; the fake, like the gateway's upstream client, speaks 1.1
    requestHandler: new NodeHttpHandler(),
  });

describe('the Bedrock fake, called with the AWS SDK', () => {
  it('answers Converse', async () => {
    const answer = await sdk().send(
      new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'Hi there' }] }] }),
    );
    expect(answer.output?.message?.content).toEqual([{ text: DEFAULT_REPLY }]);
    expect(answer.stopReason).toBe('end_turn');
    expect(answer.usage).toMatchObject({ inputTokens: 2, outputTokens: splitTokens(DEFAULT_REPLY).length });
    expect(fake.lastRequest().path).toBe('/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse');
  });

  it('streams ConverseStream events, tool use included', async () => {
    const answer = await sdk().send(
      new ConverseStreamCommand({
        modelId: MODEL,
        messages: [{ role: 'user', content: [{ text: 'Weather?' }] }],
        toolConfig: {
          tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object' } } } }],
        },
      }),
    );
    const kinds: string[] = [];
    let input = '';
    for await (const event of answer.stream ?? []) {
      kinds.push(Object.keys(event).filter((k) => k !== '$unknown')[0] ?? '?');
      input += event.contentBlockDelta?.delta?.toolUse?.input ?? '';
      if (event.messageStop) expect(event.messageStop.stopReason).toBe('tool_use');
      if (event.metadata) expect(event.metadata.usage?.inputTokens).toBe(1);
    }
    expect(kinds[0]).toBe('messageStart');
    expect(kinds).toContain('contentBlockStart');
    expect(kinds.slice(-2)).toEqual(['messageStop', 'metadata']);
    expect(JSON.parse(input)).toEqual({ location: 'Paris', unit: 'celsius' });
  });

  it('refuses a wrong secret or region with InvalidSignatureException, and throttles as told', async () => {
    const wrong = await sdk('wrongSecretAccessKey0123456789')
      .send(new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'x' }] }] }))
      .catch((e: unknown) => e);
    expect((wrong as Error).name).toBe('InvalidSignatureException');
    expect((wrong as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(403);
    const region = await sdk(SECRET_ACCESS_KEY, 'eu-west-1')
      .send(new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'x' }] }] }))
      .catch((e: unknown) => e);
    expect((region as Error).name).toBe('InvalidSignatureException');
    fake.failNext({ status: 429, message: 'Too many requests' });
    const throttled = await sdk()
      .send(new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'x' }] }] }))
      .catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(ThrottlingException);
  });

  it('sends a mid-stream exception the SDK raises as ThrottlingException', async () => {
    fake.failStream({ afterEvents: 2, mode: 'error_event' });
    const answer = await sdk().send(
      new ConverseStreamCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'x' }] }] }),
    );
    const failure = await (async () => {
      for await (const _ of answer.stream ?? []);
    })().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ThrottlingException);
  });
});

describe('callProvider → Bedrock', () => {
  const credential = () => ({
    apiKey: BEDROCK_TEST_SECRET,
    baseUrl: fake.origin,
    headers: { 'aws-region': BEDROCK_FAKE_REGION },
  });
  const request = (extra: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest => ({
    model: 'claude',
    messages: [
      { role: 'system', content: 'Be kind.' },
      { role: 'user', content: 'Hello Bedrock' },
    ],
    ...extra,
  });

  it('answers a signed Converse call with the provider usage', async () => {
    const result = await callProvider({
      provider: 'bedrock',
      credential: credential(),
      model: MODEL,
      request: request(),
    });
    expect(result.ok).toBe(true);
    const outcome = (result as { value: CompletionOutcome }).value;
    expect(outcome.completion.choices[0]?.message.content).toBe(DEFAULT_REPLY);
    expect(outcome.completion.model).toBe('claude');
    expect(outcome.usage).toMatchObject({
      promptTokens: countWords(['Be kind.', 'Hello Bedrock']),
      completionTokens: splitTokens(DEFAULT_REPLY).length,
      estimated: false,
    });
    expect(fake.lastRequest().body).toEqual({
      messages: [{ role: 'user', content: [{ text: 'Hello Bedrock' }] }],
      system: [{ text: 'Be kind.' }],
    });
  });

  it('streams the event stream as chunks ending in the provider usage', async () => {
    const result = await callProvider({
      provider: 'bedrock',
      credential: credential(),
      model: MODEL,
      request: request({ stream: true }),
    });
    expect(result.ok).toBe(true);
    const stream = (result as { value: StreamOutcome }).value.stream;
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream.chunks) chunks.push(chunk);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(DEFAULT_REPLY);
    const final = await stream.final;
    expect(final).toMatchObject({ finishReason: 'stop', error: null });
    expect(final.usage).toMatchObject({
      completionTokens: splitTokens(DEFAULT_REPLY).length,
      estimated: false,
    });
    expect(final.timeToFirstTokenMs).toBeGreaterThan(0);
  });

  it('fails a stream whose first frames are an exception as a retryable 429, before any chunk', async () => {
    fake.failStream({ afterEvents: 1, mode: 'error_event' });
    const result = await callProvider({
      provider: 'bedrock',
      credential: credential(),
      model: MODEL,
      request: request({ stream: true }),
    });
    expect(result).toMatchObject({ ok: false, error: { status: 429, retryable: true, kind: 'upstream' } });
  });

  it('reports a wrong secret as rejected credentials, and an unusable one without calling', async () => {
    const [id] = BEDROCK_TEST_SECRET.split(':');
    const wrong = await callProvider({
      provider: 'bedrock',
      credential: { ...credential(), apiKey: `${id}:anotherSecretAccessKey0123456` },
      model: MODEL,
      request: request(),
    });
    expect(wrong).toMatchObject({
      ok: false,
      error: { status: 502, upstreamStatus: 403, body: { error: { code: CREDENTIALS_REJECTED } } },
    });
    const before = fake.requests.length;
    const unusable = await callProvider({
      provider: 'bedrock',
      credential: { ...credential(), apiKey: 'sk-not-aws-keys' },
      model: MODEL,
      request: request(),
    });
    expect(unusable).toMatchObject({
      ok: false,
      error: { status: 502, retryable: true, body: { error: { code: 'provider_credential_invalid' } } },
    });
    // no region and no endpoint to read one from: the request cannot even be built
    const noRegion = await callProvider({
      provider: 'bedrock',
      credential: { apiKey: BEDROCK_TEST_SECRET },
      model: MODEL,
      request: request(),
    });
    expect(noRegion).toMatchObject({
      ok: false,
      error: { status: 502, retryable: true, body: { error: { code: 'provider_credential_invalid' } } },
    });
    expect(fake.requests.length).toBe(before);
  });
});
