import { Readable } from 'node:stream';
import OpenAI, { toFile } from 'openai';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countWords, DEFAULT_REPLY } from '../../../test/fakes/llm/script.ts';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { wavFile } from '../../../test/fakes/llm/wav.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';
import { call, eventually } from './harness.ts';

/*
 * Images, audio transcriptions and the model list through the official openai client: passed through
 * to an OpenAI-format provider, metered per image / per second of audio (plus reported tokens) on the
 * call log and the usage event, and refused cleanly when the provider or the input cannot do it.
 */

const KEY = 'sk-media-secret-000000000000';
const MAX_BODY = 200_000;

describe('AI media surfaces', () => {
  let world: AiWorld;
  let openaiFake: FakeLlm;
  let anthropicFake: FakeLlm;
  let azureFake: FakeLlm;
  let seeded: Awaited<ReturnType<typeof seedAiApi>>;
  let client: OpenAI;

  beforeAll(async () => {
    world = await startAiWorld(false);
    openaiFake = await startFakeLlm({ flavor: 'openai', apiKey: KEY });
    anthropicFake = await startFakeLlm({ flavor: 'anthropic', apiKey: KEY });
    azureFake = await startFakeLlm({ flavor: 'azure', apiKey: KEY });
    seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [
        { provider: 'openai', baseUrl: openaiFake.baseUrl, secret: KEY },
        { provider: 'anthropic', baseUrl: anthropicFake.baseUrl, secret: KEY },
        { provider: 'azure', baseUrl: azureFake.baseUrl, secret: KEY },
      ],
      ai: ([openaiId, anthropicId, azureId]) => ({
        routes: [
          { name: 'draw', targets: [{ credentialId: openaiId, model: 'dall-e-3' }] },
          { name: 'draw-tokens', targets: [{ credentialId: openaiId, model: 'gpt-image-1' }] },
          { name: 'hear', targets: [{ credentialId: openaiId, model: 'whisper-1' }] },
          { name: 'hear-tokens', targets: [{ credentialId: openaiId, model: 'gpt-4o-transcribe' }] },
          { name: 'claude', targets: [{ credentialId: anthropicId, model: 'claude-sonnet-4-5' }] },
          { name: 'unpriced', targets: [{ credentialId: openaiId, model: 'gpt-4o-mini' }] },
          { name: 'azure-draw', targets: [{ credentialId: azureId, model: 'dalle3-prod' }] },
          { name: 'azure-hear', targets: [{ credentialId: azureId, model: 'whisper-prod' }] },
        ],
      }),
      prices: [
        {
          provider: 'openai',
          model: 'dall-e-3',
          inputPerMillion: '0',
          outputPerMillion: '0',
          perImage: '0.04',
          inputModalities: ['text'],
          outputModalities: ['image'],
        },
        {
          provider: 'openai',
          model: 'gpt-image-1',
          inputPerMillion: '5',
          outputPerMillion: '40',
          perImage: '0.011',
          contextWindow: 32_000,
        },
        {
          provider: 'openai',
          model: 'whisper-1',
          inputPerMillion: '0',
          outputPerMillion: '0',
          perAudioSecond: '0.0001',
          inputModalities: ['audio'],
          outputModalities: ['text'],
        },
        {
          provider: 'openai',
          model: 'gpt-4o-transcribe',
          inputPerMillion: '2.5',
          outputPerMillion: '10',
          perAudioSecond: '0.00005',
          contextWindow: 16_000,
          maxOutputTokens: 2_000,
        },
      ],
    });
    await world.db.api.update({
      where: { id: seeded.api.id },
      data: { policies: { maxBodyBytes: MAX_BODY } },
    });
    client = new OpenAI({ apiKey: seeded.consumer.plaintext, baseURL: `${seeded.base}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await world?.close();
    await openaiFake?.close();
    await anthropicFake?.close();
    await azureFake?.close();
  });

  /** The AI call log row of one request (by the request id the gateway answered with). */
  async function loggedCall(requestId: string | null) {
    expect(requestId).toBeTruthy();
    await world.gateway.flushUsage();
    const where = { apiId: seeded.api.id, requestId: requestId ?? '' };
    await eventually(async () => (await world.db.aiCallLog.count({ where })) > 0, 3_000);
    return world.db.aiCallLog.findFirstOrThrow({ where });
  }

  it('lists the routes with the price table metadata of their primary target, and retrieves one', async () => {
    const listed = [];
    for await (const model of client.models.list()) listed.push(model);
    expect(listed.map((m) => m.id)).toEqual([
      'draw',
      'draw-tokens',
      'hear',
      'hear-tokens',
      'claude',
      'unpriced',
      'azure-draw',
      'azure-hear',
    ]);
    expect(listed[0]).toEqual({
      id: 'draw',
      object: 'model',
      created: 0,
      owned_by: 'openai',
      context_window: null,
      max_output_tokens: null,
      modalities: { input: ['text'], output: ['image'] },
      pricing: {
        input_per_million: '0',
        output_per_million: '0',
        per_image: '0.04',
        per_audio_second: null,
        per_call: null,
      },
    });
    expect(listed.find((m) => m.id === 'claude')).toMatchObject({ owned_by: 'anthropic', pricing: null });

    const one = await client.models.retrieve('hear-tokens');
    expect(one).toMatchObject({
      id: 'hear-tokens',
      owned_by: 'openai',
      context_window: 16_000,
      max_output_tokens: 2_000,
      pricing: { input_per_million: '2.5', per_audio_second: '0.00005' },
    });
    const missing = await client.models.retrieve('gpt-5').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect((missing as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
  });

  it('generates images and meters n × perImage', async () => {
    const { data, response } = await client.images
      .generate({ model: 'draw', prompt: 'A lighthouse at dusk', size: '1024x1024', user: 'u-1' })
      .withResponse();
    expect(data.data?.[0]?.url).toMatch(/^https:\/\//);
    expect(openaiFake.lastRequest().path).toBe('/v1/images/generations');
    expect(openaiFake.lastRequest().body).toMatchObject({
      model: 'dall-e-3',
      prompt: 'A lighthouse at dusk',
    });
    const row = await loggedCall(response.headers.get('x-request-id'));
    expect(row).toMatchObject({
      surface: 'images',
      model: 'draw',
      provider: 'openai',
      providerModel: 'dall-e-3',
      status: 200,
      tokensIn: 0,
      tokensOut: 0,
    });
    expect(row.costMicros).toBe(40_000n);
  });

  it('prices the tokens an image model reports on top of its images', async () => {
    const prompt = 'two red apples';
    const { data, response } = await client.images
      .generate({ model: 'draw-tokens', prompt, n: 2 })
      .withResponse();
    expect(data.data).toHaveLength(2);
    expect(data.data?.[0]?.b64_json).toBeTruthy();
    const row = await loggedCall(response.headers.get('x-request-id'));
    const input = countWords([prompt]);
    const output = 272 * 2;
    expect(row).toMatchObject({ surface: 'images', tokensIn: input, tokensOut: output });
    // tokens at $5/$40 per million plus 2 × $0.011
    expect(row.costMicros).toBe(BigInt(Math.round(input * 5 + output * 40)) + 22_000n);
  });

  it('transcribes a WAV upload, metering the duration the provider reports', async () => {
    const audio = await toFile(wavFile(2.5), 'hello.wav', { type: 'audio/wav' });
    const { data, response } = await client.audio.transcriptions
      .create({ model: 'hear', file: audio, language: 'en', temperature: 0 })
      .withResponse();
    expect(data.text).toBe(DEFAULT_REPLY);
    const upstream = openaiFake.lastRequest();
    expect(upstream.path).toBe('/v1/audio/transcriptions');
    expect(upstream.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(upstream.rawBytes.includes(wavFile(2.5))).toBe(true);
    const row = await loggedCall(response.headers.get('x-request-id'));
    expect(row).toMatchObject({ surface: 'audio', model: 'hear', providerModel: 'whisper-1', status: 200 });
    // whisper reports usage {type: "duration", seconds: 3} (rounded up): 3 s × $0.0001
    expect(row.costMicros).toBe(300n);

    const verbose = await client.audio.transcriptions.create({
      model: 'hear',
      file: await toFile(wavFile(2.5), 'hello.wav'),
      response_format: 'verbose_json',
    });
    expect(verbose.duration).toBe(2.5);
  });

  it('falls back to the file header for the duration, and passes text formats through', async () => {
    openaiFake.configure({ omitUsage: true });
    try {
      const { data, response } = await client.audio.transcriptions
        .create({ model: 'hear', file: await toFile(wavFile(1.25), 'a.wav'), response_format: 'srt' })
        .withResponse();
      expect(data).toContain('00:00:00,000 --> 00:00:01,250');
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      const row = await loggedCall(response.headers.get('x-request-id'));
      // 1.25 s × $0.0001 = 125 micro-USD
      expect(row.costMicros).toBe(125n);
    } finally {
      openaiFake.configure({ omitUsage: false });
    }
  });

  it('prices the tokens a transcription model reports on top of its seconds', async () => {
    const { response } = await client.audio.transcriptions
      .create({ model: 'hear-tokens', file: await toFile(wavFile(2), 'b.wav') })
      .withResponse();
    const row = await loggedCall(response.headers.get('x-request-id'));
    const replyWords = countWords([DEFAULT_REPLY]);
    expect(row).toMatchObject({ tokensIn: 20, tokensOut: replyWords });
    // 20 × $2.5 + words × $10 per million, plus 2 s × $0.00005
    expect(row.costMicros).toBe(BigInt(Math.round(20 * 2.5 + replyWords * 10)) + 100n);
  });

  it('calls Azure deployments for images and transcriptions', async () => {
    const image = await client.images.generate({ model: 'azure-draw', prompt: 'a fox' });
    expect(image.data).toHaveLength(1);
    expect(azureFake.lastRequest().path).toBe('/openai/deployments/dalle3-prod/images/generations');
    expect(azureFake.lastRequest().headers['api-key']).toBe(KEY);
    const text = await client.audio.transcriptions.create({
      model: 'azure-hear',
      file: await toFile(wavFile(1), 'd.wav'),
      response_format: 'text',
    });
    expect(text).toBe(`${DEFAULT_REPLY}\n`);
    expect(azureFake.lastRequest().path).toBe('/openai/deployments/whisper-prod/audio/transcriptions');
    expect(azureFake.lastRequest().query['api-version']).toBeTruthy();
  });

  it('puts cost and tokens on the usage event', async () => {
    await world.usageSettled();
    const rollups = await world.db.usageRollup.findMany({
      where: { subscriptionId: seeded.consumer.subscription.id },
    });
    const cost = rollups.reduce((s, r) => s + r.costMicros, 0n);
    const logged = await world.db.aiCallLog.aggregate({
      where: { apiId: seeded.api.id },
      _sum: { costMicros: true },
    });
    expect(cost).toBeGreaterThan(0n);
    expect(cost).toBe(logged._sum.costMicros);
  });

  it("holds the images' price on a USD budget before the call", async () => {
    const budgeted = await seedAiApi(world, {
      kind: 'AI',
      credentials: [{ provider: 'openai', baseUrl: openaiFake.baseUrl, secret: KEY }],
      ai: ([id]) => ({ routes: [{ name: 'draw', targets: [{ credentialId: id, model: 'dall-e-3' }] }] }),
      aiLimits: [{ metric: 'usd', window: 'day', scope: 'key', limit: '0.05' }],
      prices: [
        {
          provider: 'openai',
          model: 'dall-e-3',
          inputPerMillion: '0',
          outputPerMillion: '0',
          perImage: '0.04',
        },
      ],
    });
    const capped = new OpenAI({
      apiKey: budgeted.consumer.plaintext,
      baseURL: `${budgeted.base}/v1`,
      maxRetries: 0,
    });
    const before = openaiFake.requests.length;
    await capped.images.generate({ model: 'draw', prompt: 'one' });
    // $0.04 spent and $0.04 more held would pass the $0.05 budget: refused before the provider is called
    const second = await capped.images.generate({ model: 'draw', prompt: 'two' }).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(OpenAI.RateLimitError);
    expect(openaiFake.requests.length).toBe(before + 1);
  });

  it('refuses images and audio on a provider without them with a 400 naming it', async () => {
    const image = await client.images.generate({ model: 'claude', prompt: 'x' }).catch((e: unknown) => e);
    expect(image).toBeInstanceOf(OpenAI.BadRequestError);
    expect((image as Error).message).toContain('Anthropic does not offer image generation');
    const audio = await client.audio.transcriptions
      .create({ model: 'claude', file: await toFile(wavFile(0.5), 'c.wav') })
      .catch((e: unknown) => e);
    expect(audio).toBeInstanceOf(OpenAI.BadRequestError);
    expect((audio as Error).message).toContain('Anthropic does not offer audio transcription');
    expect(anthropicFake.requests).toHaveLength(0);
  });

  it('refuses bad image requests with 400s in OpenAI shape', async () => {
    const tooMany = await client.images
      .generate({ model: 'draw', prompt: 'x', n: 11 })
      .catch((e: unknown) => e);
    expect(tooMany).toBeInstanceOf(OpenAI.BadRequestError);
    expect((tooMany as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('n');
    const unknownModel = await client.images
      .generate({ model: 'nope', prompt: 'x' })
      .catch((e: unknown) => e);
    expect(unknownModel).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('refuses an upload over the body size limit with 413', async () => {
    const big = await client.audio.transcriptions
      .create({ model: 'hear', file: await toFile(wavFile(15), 'big.wav') })
      .catch((e: unknown) => e);
    expect(big).toBeInstanceOf(OpenAI.APIError);
    expect((big as InstanceType<typeof OpenAI.APIError>).status).toBe(413);

    // without a content-length (chunked), the limit holds while the body is read
    const form = new FormData();
    form.append('model', 'hear');
    form.append('file', new Blob([new Uint8Array(wavFile(15))], { type: 'audio/wav' }), 'big.wav');
    const encoded = new Response(form);
    const chunked = await request(`${seeded.base}/v1/audio/transcriptions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${seeded.consumer.plaintext}`,
        'content-type': encoded.headers.get('content-type') ?? '',
      },
      body: Readable.from([Buffer.from(await encoded.arrayBuffer())]),
    });
    expect(chunked.statusCode).toBe(413);
    expect(await chunked.body.json()).toMatchObject({ error: { code: 'request_too_large' } });
  });

  it('refuses garbage, incomplete and unreadable multipart bodies with 400', async () => {
    const headers = { authorization: `Bearer ${seeded.consumer.plaintext}` };
    const path = '/v1/audio/transcriptions';
    const garbage = await call(seeded.base, path, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'multipart/form-data; boundary=xyz' },
      body: 'this is not multipart at all',
    });
    expect(garbage.status).toBe(400);
    expect(garbage.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    const json = await call(seeded.base, path, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '{"model":"hear"}',
    });
    expect(json.status).toBe(400);

    const noFile = await client.audio.transcriptions
      .create({ model: 'hear' } as unknown as Parameters<typeof client.audio.transcriptions.create>[0])
      .catch((e: unknown) => e);
    expect(noFile).toBeInstanceOf(OpenAI.BadRequestError);
    const noise = await client.audio.transcriptions
      .create({ model: 'hear', file: await toFile(Buffer.from('definitely not audio'), 'x.wav') })
      .catch((e: unknown) => e);
    expect(noise).toBeInstanceOf(OpenAI.BadRequestError);
    expect((noise as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('invalid_audio');
  });
});
