import Anthropic from '@anthropic-ai/sdk';
import { CREDENTIALS_REJECTED } from '@portcullis/ai/errors';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REPLY } from '../../../test/fakes/llm/script.ts';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import {
  revokeVertexTokens,
  VERTEX_PROJECT,
  vertexServiceAccountKey,
} from '../../../test/fakes/llm/vertex.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';

/*
 * Google Vertex AI through the gateway: Gemini and Claude models called with the official SDKs, the
 * gateway minting OAuth tokens from the tenant's service-account key (cached, refreshed before expiry,
 * one refresh for concurrent calls, never shared across tenants), and a refused key as a clear error.
 */

const REGION = 'europe-west4';
const PREFIX = `/v1/projects/${VERTEX_PROJECT}/locations/${REGION}/publishers`;
const user = (content: string) => [{ role: 'user' as const, content }];
const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather in a city',
    parameters: { type: 'object', properties: { location: { type: 'string' } } },
  },
};

describe('AI gateway: Google Vertex AI', () => {
  let world: AiWorld;
  let fake: FakeLlm;

  beforeAll(async () => {
    world = await startAiWorld(false);
    fake = await startFakeLlm({ flavor: 'vertex' });
  });
  afterAll(async () => {
    await world?.close();
    await fake?.close();
  });

  /** An API with Gemini and Claude routes over one service-account key (a fresh key: its own token cache). */
  async function vertexApi(secret = vertexServiceAccountKey(fake.origin)) {
    const seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [
        { provider: 'vertex', baseUrl: fake.origin, secret, apiVersion: REGION },
        { provider: 'vertex-anthropic', baseUrl: fake.origin, secret, apiVersion: REGION },
      ],
      ai: ([gemini, claude]) => ({
        routes: [
          { name: 'gemini', targets: [{ credentialId: gemini, model: 'gemini-2.5-flash' }] },
          { name: 'claude', targets: [{ credentialId: claude, model: 'claude-sonnet-4-5@20250929' }] },
        ],
      }),
    });
    const openai = new OpenAI({
      apiKey: seeded.consumer.plaintext,
      baseURL: `${seeded.base}/v1`,
      maxRetries: 0,
    });
    const anthropic = new Anthropic({
      apiKey: seeded.consumer.plaintext,
      baseURL: seeded.base,
      maxRetries: 0,
    });
    return { seeded, openai, anthropic };
  }

  const tokenRequests = () => fake.requests.filter((r) => r.path === '/token').length;

  it('answers Gemini and Claude models with a bearer token minted from the key', async () => {
    const { openai } = await vertexApi();
    const before = fake.requests.length;
    const gemini = await openai.chat.completions.create({ model: 'gemini', messages: user('hi there') });
    expect(gemini.choices[0]?.message.content).toBe(DEFAULT_REPLY);
    expect(gemini.usage).toMatchObject({
      prompt_tokens: 2,
      completion_tokens: DEFAULT_REPLY.split(' ').length,
    });
    const claude = await openai.chat.completions.create({ model: 'claude', messages: user('hi there') });
    expect(claude.choices[0]?.message.content).toBe(DEFAULT_REPLY);
    expect(claude.model).toBe('claude');

    const seen = fake.requests.slice(before);
    expect(seen.map((r) => r.path)).toEqual([
      '/token',
      `${PREFIX}/google/models/gemini-2.5-flash:generateContent`,
      `${PREFIX}/anthropic/models/claude-sonnet-4-5@20250929:rawPredict`,
    ]);
    const token = seen[0]?.rawBody ?? '';
    expect(token).toContain('grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer');
    expect(seen[1]?.headers.authorization).toMatch(/^Bearer ya29\./);
    expect(seen[2]?.headers.authorization).toBe(seen[1]?.headers.authorization);
    expect(JSON.stringify(seen.map((r) => r.headers))).not.toContain('PRIVATE KEY');
  });

  it('mints a new token after the provider refuses a revoked one with 401', async () => {
    const { openai } = await vertexApi();
    const ask = () => openai.chat.completions.create({ model: 'gemini', messages: user('hi') });
    await ask();
    const minted = tokenRequests();
    revokeVertexTokens();
    await expect(ask()).rejects.toMatchObject({ status: expect.any(Number) });
    const answer = await ask();
    expect(answer.choices[0]?.message.content).toBe(DEFAULT_REPLY);
    expect(tokenRequests()).toBe(minted + 1);
  });

  it('streams both publishers with usage at the end', async () => {
    const { openai } = await vertexApi();
    for (const model of ['gemini', 'claude']) {
      const stream = await openai.chat.completions.create({
        model,
        messages: user('stream please'),
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let usage: OpenAI.CompletionUsage | undefined;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        if (chunk.usage) usage = chunk.usage;
      }
      expect(text, model).toBe(DEFAULT_REPLY);
      expect(usage, model).toMatchObject({
        prompt_tokens: 2,
        completion_tokens: DEFAULT_REPLY.split(' ').length,
      });
    }
    const paths = fake.requests.slice(-2).map((r) => r.path);
    expect(paths[0]).toMatch(/:streamGenerateContent$/);
    expect(paths[1]).toMatch(/:streamRawPredict$/);
  });

  it('calls tools on both publishers and carries the results back', async () => {
    const { openai } = await vertexApi();
    for (const model of ['gemini', 'claude']) {
      const first = await openai.chat.completions.create({
        model,
        messages: user('weather?'),
        tools: [weatherTool],
      });
      const call = first.choices[0]?.message.tool_calls?.[0];
      expect(first.choices[0]?.finish_reason, model).toBe('tool_calls');
      if (call?.type !== 'function') throw new Error('expected a function call');
      expect(JSON.parse(call.function.arguments)).toEqual({ location: 'Paris', unit: 'celsius' });
      const second = await openai.chat.completions.create({
        model,
        tools: [weatherTool],
        messages: [
          ...user('weather?'),
          { role: 'assistant', content: null, tool_calls: [call] },
          { role: 'tool', tool_call_id: call.id, content: 'Sunny, 21C' },
        ],
      });
      expect(second.choices[0]?.message.content, model).toBe('The tool said: Sunny, 21C');
    }
  });

  it('serves Claude on Vertex to the Anthropic SDK on /v1/messages, streamed and not', async () => {
    const { anthropic } = await vertexApi();
    const message = await anthropic.messages.create({
      model: 'claude',
      max_tokens: 100,
      messages: user('hi'),
    });
    expect(message.content).toEqual([{ type: 'text', text: DEFAULT_REPLY }]);
    expect(message.usage.input_tokens).toBe(1);
    const events = await anthropic.messages.create({
      model: 'claude',
      max_tokens: 100,
      messages: user('hi'),
      stream: true,
    });
    let text = '';
    for await (const event of events) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    expect(text).toBe(DEFAULT_REPLY);
  });

  it('reuses a token, and concurrent first calls share one token request', async () => {
    const { openai } = await vertexApi();
    const before = tokenRequests();
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        openai.chat.completions.create({ model: i % 2 ? 'claude' : 'gemini', messages: user('hi') }),
      ),
    );
    await openai.chat.completions.create({ model: 'gemini', messages: user('again') });
    expect(tokenRequests() - before).toBe(1);
  });

  it('refreshes a token five minutes before it expires, and keeps a valid one if the refresh fails', async () => {
    // 302 s: due for refresh two seconds after it was issued
    fake.configure({ tokenLifetimeSeconds: 302 });
    try {
      const { openai } = await vertexApi();
      const before = tokenRequests();
      await openai.chat.completions.create({ model: 'gemini', messages: user('hi') });
      await openai.chat.completions.create({ model: 'gemini', messages: user('hi') });
      expect(tokenRequests() - before).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      await openai.chat.completions.create({ model: 'gemini', messages: user('hi') });
      expect(tokenRequests() - before).toBe(2);
      const fresh = fake.lastRequest().headers.authorization;

      await new Promise((resolve) => setTimeout(resolve, 2_100));
      fake.failNext({ status: 503 });
      const answered = await openai.chat.completions.create({ model: 'gemini', messages: user('hi') });
      expect(answered.choices[0]?.message.content).toBe(DEFAULT_REPLY);
      expect(tokenRequests() - before).toBe(3);
      expect(fake.lastRequest().headers.authorization).toBe(fresh);
    } finally {
      fake.configure({ tokenLifetimeSeconds: 3600 });
    }
  });

  it('never shares a token between tenants holding the same key', async () => {
    const secret = vertexServiceAccountKey(fake.origin);
    const a = await vertexApi(secret);
    const b = await vertexApi(secret);
    const before = tokenRequests();
    await a.openai.chat.completions.create({ model: 'gemini', messages: user('hi') });
    await b.openai.chat.completions.create({ model: 'gemini', messages: user('hi') });
    expect(tokenRequests() - before).toBe(2);
  });

  it('answers a key Google refuses with a 502 naming the refusal, and logs it', async () => {
    const { openai, seeded } = await vertexApi(vertexServiceAccountKey(fake.origin, { untrusted: true }));
    const modelCalls = () => fake.requests.filter((r) => r.path.startsWith('/v1/')).length;
    const before = modelCalls();
    for (const stream of [false, true]) {
      const failed = await openai.chat.completions
        .create({ model: 'claude', messages: user('hi'), stream })
        .catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(OpenAI.APIError);
      const error = failed as InstanceType<typeof OpenAI.APIError>;
      expect(error.status).toBe(502);
      expect(error.code).toBe(CREDENTIALS_REJECTED);
      expect(error.message).toContain('invalid_grant');
    }
    expect(modelCalls()).toBe(before);
    await world.gateway.flushUsage();
    const rows = await world.db.aiCallLog.findMany({ where: { apiId: seeded.api.id } });
    expect(rows.map((r) => [r.status, r.errorCode])).toEqual([
      [502, CREDENTIALS_REJECTED],
      [502, CREDENTIALS_REJECTED],
    ]);
    // neither the key nor a token reaches a log line or a log row
    for (const text of [
      world.logLines.join('\n'),
      JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? String(v) : v)),
    ]) {
      expect(text).not.toContain('PRIVATE KEY');
      expect(text).not.toContain('ya29.');
    }
  });

  it("reaches a token endpoint only through the org's SSRF guard", async () => {
    const key = JSON.parse(vertexServiceAccountKey(fake.origin));
    const { openai } = await vertexApi(JSON.stringify({ ...key, token_uri: 'http://169.254.169.254/token' }));
    const failed = await openai.chat.completions
      .create({ model: 'gemini', messages: user('hi') })
      .catch((error: unknown) => error);
    expect((failed as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect((failed as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_forbidden');
  });
});
