import Anthropic from '@anthropic-ai/sdk';
import { providerCredentialContext } from '@portcullis/core/ai-config';
import { encryptSecret, parseEncryptionKey } from '@portcullis/core/crypto';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countWords, DEFAULT_REPLY, splitTokens } from '../../../test/fakes/llm/script.ts';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';
import { eventually, notify } from './harness.ts';

/*
 * The AI surface of the gateway with Redis (usage through the durable stream and the metering worker),
 * called by the official openai and @anthropic-ai/sdk clients, backed by local fake providers.
 */

const SECRET_OPENAI = 'sk-openai-tenant-secret-0123456789';
const SECRET_ANTHROPIC = 'sk-ant-tenant-secret-9876543210';

describe('AI gateway surfaces', () => {
  let world: AiWorld;
  let openaiFake: FakeLlm;
  let anthropicFake: FakeLlm;
  let seeded: Awaited<ReturnType<typeof seedAiApi>>;
  let client: OpenAI;

  beforeAll(async () => {
    world = await startAiWorld(true);
    openaiFake = await startFakeLlm({ flavor: 'openai', apiKey: SECRET_OPENAI });
    anthropicFake = await startFakeLlm({ flavor: 'anthropic', apiKey: SECRET_ANTHROPIC });
    seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [
        { provider: 'openai', baseUrl: openaiFake.baseUrl, secret: SECRET_OPENAI },
        { provider: 'anthropic', baseUrl: anthropicFake.baseUrl, secret: SECRET_ANTHROPIC },
      ],
      ai: ([openaiId, anthropicId]) => ({
        routes: [
          { name: 'fast', targets: [{ credentialId: openaiId, model: 'gpt-4o-mini' }] },
          { name: 'smart', targets: [{ credentialId: anthropicId, model: 'claude-sonnet-4-5' }] },
          {
            name: 'cached',
            targets: [{ credentialId: openaiId, model: 'gpt-4o-mini' }],
            cacheTtlSeconds: 60,
          },
          { name: 'embed', targets: [{ credentialId: openaiId, model: 'text-embedding-3-small' }] },
        ],
        logging: { logBodies: true, redact: ['\\b\\d{4}-\\d{4}-\\d{4}-\\d{4}\\b'] },
      }),
      prices: [
        { provider: 'openai', model: 'gpt-4o-mini', inputPerMillion: '0.15', outputPerMillion: '0.60' },
        { provider: 'anthropic', model: 'claude-sonnet-4-5', inputPerMillion: '3', outputPerMillion: '15' },
      ],
    });
    client = new OpenAI({ apiKey: seeded.consumer.plaintext, baseURL: `${seeded.base}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await world?.close();
    await openaiFake?.close();
    await anthropicFake?.close();
  });

  const promptWords = (text: string) => countWords([text]);
  const replyWords = splitTokens(DEFAULT_REPLY).length;

  it('answers a chat completion through an alias and meters tokens and cost', async () => {
    const completion = await client.chat.completions.create({
      model: 'fast',
      messages: [{ role: 'user', content: 'Say hello to the gateway' }],
    });
    expect(completion.choices[0]?.message.content).toBe(DEFAULT_REPLY);
    expect(completion.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: replyWords });
    expect(openaiFake.lastRequest().body).toMatchObject({ model: 'gpt-4o-mini' });
    // the tenant's secret went upstream, and only there
    expect(openaiFake.lastRequest().headers.authorization).toBe(`Bearer ${SECRET_OPENAI}`);

    await world.usageSettled();
    const rollups = await world.db.usageRollup.findMany({
      where: { subscriptionId: seeded.consumer.subscription.id },
    });
    const sum = (f: 'tokensIn' | 'tokensOut' | 'costMicros') => rollups.reduce((s, r) => s + r[f], 0n);
    expect(sum('tokensIn')).toBe(5n);
    expect(sum('tokensOut')).toBe(BigInt(replyWords));
    // 5 × 0.15 + 15 × 0.60 micro-USD = 9.75 → 10 (half-up)
    expect(sum('costMicros')).toBe(BigInt(Math.round(5 * 0.15 + replyWords * 0.6)));

    await eventually(
      async () => (await world.db.aiCallLog.count({ where: { apiId: seeded.api.id, surface: 'chat' } })) > 0,
      3_000,
    );
    const row = await world.db.aiCallLog.findFirstOrThrow({
      where: { apiId: seeded.api.id, surface: 'chat' },
    });
    expect(row).toMatchObject({
      model: 'fast',
      provider: 'openai',
      providerModel: 'gpt-4o-mini',
      status: 200,
      tokensIn: 5,
      tokensOut: replyWords,
      tokensEstimated: false,
      attempts: 1,
      stream: false,
      keyId: seeded.consumer.apiKey.id,
    });
    expect(row.requestBody).toContain('Say hello to the gateway');
    expect(row.responseBody).toContain('Hello from the fake model');
  });

  it('streams SSE chunks with final usage, and records time to first token', async () => {
    openaiFake.configure({ tokenDelayMs: 5 });
    const stream = await client.chat.completions.create({
      model: 'fast',
      messages: [{ role: 'user', content: 'Stream to me' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    openaiFake.configure({ tokenDelayMs: 0 });
    expect(text).toBe(DEFAULT_REPLY);
    expect(chunks).toBeGreaterThan(replyWords);
    expect(usage).toMatchObject({ prompt_tokens: 3, completion_tokens: replyWords });
    // upstream usage was requested even though the gateway would have asked anyway
    expect(openaiFake.lastRequest().body).toMatchObject({ stream_options: { include_usage: true } });
    await world.gateway.flushUsage();
    await eventually(
      async () => (await world.db.aiCallLog.count({ where: { apiId: seeded.api.id, stream: true } })) > 0,
      3_000,
    );
    const row = await world.db.aiCallLog.findFirstOrThrow({ where: { apiId: seeded.api.id, stream: true } });
    expect(row.tokensOut).toBe(replyWords);
    expect(row.ttftMs).not.toBeNull();
    expect(row.responseBody).toBe(DEFAULT_REPLY);
  });

  it('serves embeddings and the model list', async () => {
    const embedded = await client.embeddings.create({ model: 'embed', input: 'vector me please' });
    expect(embedded.data[0]?.embedding).toHaveLength(8);
    expect(embedded.usage.prompt_tokens).toBe(promptWords('vector me please'));
    const models = await client.models.list();
    expect(models.data.map((m) => m.id).sort()).toEqual(['cached', 'embed', 'fast', 'smart']);
  });

  it('speaks the Anthropic Messages API, streamed and not', async () => {
    const anthropic = new Anthropic({
      apiKey: seeded.consumer.plaintext,
      baseURL: seeded.base,
      maxRetries: 0,
    });
    const message = await anthropic.messages.create({
      model: 'smart',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Hello Claude' }],
    });
    expect(message.content[0]).toMatchObject({ type: 'text', text: DEFAULT_REPLY });
    expect(message.usage.output_tokens).toBe(replyWords);
    expect(anthropicFake.lastRequest().headers['x-api-key']).toBe(SECRET_ANTHROPIC);

    const stream = anthropic.messages.stream({
      model: 'smart',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Stream, Claude' }],
    });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const final = await stream.finalMessage();
    expect(text).toBe(DEFAULT_REPLY);
    expect(final.usage.output_tokens).toBe(replyWords);

    const missing = await anthropic.messages
      .create({ model: 'nope', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
  });

  it('refuses an unknown model with 404 model_not_found and a bad key with 401 invalid_api_key', async () => {
    const missing = await client.chat.completions
      .create({ model: 'gpt-unknown', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect((missing as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');

    const stranger = new OpenAI({
      apiKey: 'pk_live_not-a-real-key',
      baseURL: `${seeded.base}/v1`,
      maxRetries: 0,
    });
    const denied = await stranger.models.list().catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((denied as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('invalid_api_key');
  });

  it('answers the same non-streamed request from the exact-match cache', async () => {
    const before = openaiFake.requests.length;
    const ask = () =>
      client.chat.completions
        .create({ model: 'cached', messages: [{ role: 'user', content: 'cache me 1234-5678-9012-3456' }] })
        .withResponse();
    const first = await ask();
    const second = await ask();
    expect(first.response.headers.get('x-portcullis-cache')).toBe('miss');
    expect(second.response.headers.get('x-portcullis-cache')).toBe('hit');
    expect(second.data.choices[0]?.message.content).toBe(first.data.choices[0]?.message.content);
    expect(openaiFake.requests.length).toBe(before + 1);
    await world.gateway.flushUsage();
    const rows = await world.db.aiCallLog.findMany({ where: { apiId: seeded.api.id, model: 'cached' } });
    expect(rows).toHaveLength(2);
    // the card number matched a redaction pattern: it never reaches the log
    for (const row of rows) {
      expect(row.requestBody).toContain('[REDACTED]');
      expect(row.requestBody).not.toContain('1234-5678');
    }
  });

  it('answers an Anthropic-shaped cache hit with the same usage as the original, cached prompt tokens included', async () => {
    openaiFake.configure({ cachedPromptTokens: 2 });
    try {
      const anthropic = new Anthropic({
        apiKey: seeded.consumer.plaintext,
        baseURL: seeded.base,
        maxRetries: 0,
      });
      const ask = () =>
        anthropic.messages
          .create({
            model: 'cached',
            max_tokens: 50,
            messages: [{ role: 'user', content: 'Cache my usage' }],
          })
          .withResponse();
      const first = await ask();
      const second = await ask();
      expect(second.response.headers.get('x-portcullis-cache')).toBe('hit');
      expect(first.data.usage.cache_read_input_tokens).toBe(2);
      expect(second.data.usage).toEqual(first.data.usage);
    } finally {
      openaiFake.configure({ cachedPromptTokens: 0 });
    }
  });

  it('never lets a credential secret into logs or responses', async () => {
    await world.gateway.flushUsage();
    const everything = world.logLines.join('\n');
    expect(everything).not.toContain(SECRET_OPENAI);
    expect(everything).not.toContain(SECRET_ANTHROPIC);
    const rows = await world.db.aiCallLog.findMany({ where: { apiId: seeded.api.id } });
    const logged = JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    expect(logged).not.toContain(SECRET_OPENAI);
    expect(logged).not.toContain(SECRET_ANTHROPIC);
    const models = await fetch(`${seeded.base}/v1/models`, {
      headers: { authorization: `Bearer ${seeded.consumer.plaintext}` },
    });
    expect(await models.text()).not.toContain('sk-');
  });

  it('calls with a rotated credential secret once the portal saves it (the decrypted secret is per row)', async () => {
    const rotated = 'sk-openai-rotated-secret-5555555555';
    const [openaiId] = seeded.credentialIds as [string];
    const ask = () =>
      client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'Rotate' }] });
    await ask(); // the old secret is decrypted and held with the cached row
    expect(openaiFake.lastRequest().headers.authorization).toBe(`Bearer ${SECRET_OPENAI}`);
    openaiFake.configure({ apiKey: rotated });
    await world.db.providerCredential.update({
      where: { id: openaiId },
      data: {
        secretEncrypted: encryptSecret(
          rotated,
          parseEncryptionKey(world.encryptionKey),
          providerCredentialContext(openaiId),
        ),
      },
    });
    await notify(world.db, { kind: 'providerCredential', id: openaiId });
    // within the config propagation bound (1 s), calls go out with the new secret
    await eventually(async () => {
      const answered = await ask().then(
        () => true,
        () => false,
      );
      return answered && openaiFake.lastRequest().headers.authorization === `Bearer ${rotated}`;
    }, 1_000);
    await world.gateway.flushUsage();
    expect(world.logLines.join('\n')).not.toContain(rotated);
  });
});
