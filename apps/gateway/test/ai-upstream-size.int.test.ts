import OpenAI from 'openai';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BEDROCK_FAKE_REGION, BEDROCK_TEST_SECRET } from '../../../test/fakes/llm/bedrock.ts';
import { DEFAULT_REPLY } from '../../../test/fakes/llm/script.ts';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { wavFile } from '../../../test/fakes/llm/wav.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';

/*
 * A provider endpoint is whatever host the API's owner configured: its answer is read into the shared
 * gateway's memory, so its size must be bounded, or one tenant's endpoint can exhaust the memory every
 * tenant's traffic runs in.
 */

const KEY = 'sk-size-bound-000000000000000';
const HUGE_REPLY_BYTES = 96 * 1024 * 1024;
const HUGE_EVENT_BYTES = 2 * 1024 * 1024;
const BEDROCK_MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';

describe('provider answers of unbounded size', () => {
  let world: AiWorld;
  let fake: FakeLlm;
  let bedrock: FakeLlm;
  let seeded: Awaited<ReturnType<typeof seedAiApi>>;
  let openai: OpenAI;

  beforeAll(async () => {
    world = await startAiWorld(false);
    fake = await startFakeLlm({ flavor: 'openai', apiKey: KEY });
    bedrock = await startFakeLlm({ flavor: 'bedrock', apiKey: BEDROCK_TEST_SECRET });
    seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [
        { provider: 'openai', baseUrl: fake.baseUrl, secret: KEY },
        {
          provider: 'bedrock',
          baseUrl: bedrock.baseUrl,
          secret: BEDROCK_TEST_SECRET,
          headers: { 'aws-region': BEDROCK_FAKE_REGION },
        },
      ],
      ai: ([id, aws]) => ({
        routes: [
          { name: 'hear', targets: [{ credentialId: id, model: 'whisper-1' }] },
          { name: 'chat', maxAttempts: 1, targets: [{ credentialId: id, model: 'gpt-4o-mini' }] },
          { name: 'claude', maxAttempts: 1, targets: [{ credentialId: aws, model: BEDROCK_MODEL }] },
        ],
      }),
    });
    openai = new OpenAI({ apiKey: seeded.consumer.plaintext, baseURL: `${seeded.base}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await world?.close();
    await fake?.close();
    await bedrock?.close();
  });

  it('refuses a provider answer of 96 MB with 502 rather than buffering and relaying it', async () => {
    fake.configure({ reply: 'x'.repeat(HUGE_REPLY_BYTES) });
    const form = new FormData();
    form.append('model', 'hear');
    form.append('response_format', 'text');
    form.append('file', new Blob([new Uint8Array(wavFile(1))], { type: 'audio/wav' }), 'a.wav');
    const encoded = new Response(form);
    const answer = await request(`${seeded.base}/v1/audio/transcriptions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${seeded.consumer.plaintext}`,
        'content-type': encoded.headers.get('content-type') ?? '',
      },
      body: Buffer.from(await encoded.arrayBuffer()),
    });
    const length = Number(answer.headers['content-length'] ?? 0);
    const body = (await answer.body.text()).slice(0, 2000);
    expect({ status: answer.statusCode, relayedMoreThan64MB: length > 64 * 1024 * 1024 }).toEqual({
      status: 502,
      relayedMoreThan64MB: false,
    });
    expect(JSON.parse(body)).toMatchObject({ error: { code: 'upstream_response_too_large' } });
    fake.configure({ reply: DEFAULT_REPLY });
  }, 60_000);

  it('fails a stream whose single event grows past the bound', async () => {
    fake.configure({ reply: 'x'.repeat(HUGE_EVENT_BYTES) });
    const failed = await openai.chat.completions
      .create({ model: 'chat', messages: [{ role: 'user', content: 'Hi' }], stream: true })
      .then(async (stream) => {
        for await (const _ of stream);
      })
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(OpenAI.APIError);
    expect((failed as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_response_too_large');
    fake.configure({ reply: DEFAULT_REPLY });
  });

  it('fails a Bedrock event-stream message past the bound from its prelude', async () => {
    bedrock.configure({ reply: 'x'.repeat(HUGE_EVENT_BYTES) });
    const failed = await openai.chat.completions
      .create({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }], stream: true })
      .then(async (stream) => {
        for await (const _ of stream);
      })
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(OpenAI.APIError);
    expect((failed as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_response_too_large');
    bedrock.configure({ reply: DEFAULT_REPLY });
  });

  it("keeps an oversized error answer's status and cuts its message", async () => {
    fake.failNext({ status: 429, message: 'y'.repeat(1024 * 1024), retryAfterSeconds: 1 });
    const failed = await openai.chat.completions
      .create({ model: 'chat', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(OpenAI.RateLimitError);
    expect(JSON.stringify((failed as InstanceType<typeof OpenAI.APIError>).error).length).toBeLessThan(
      64 * 1024,
    );
  });

  it('still answers a large answer within the bound', async () => {
    fake.configure({ reply: 'z'.repeat(4 * 1024 * 1024) });
    const answer = await openai.chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(answer.choices[0]?.message.content).toHaveLength(4 * 1024 * 1024);
    fake.configure({ reply: DEFAULT_REPLY });
  });
});
