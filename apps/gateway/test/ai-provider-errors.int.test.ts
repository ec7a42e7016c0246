import Anthropic from '@anthropic-ai/sdk';
import { CREDENTIALS_REJECTED } from '@portcullis/ai/errors';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countWords } from '../../../test/fakes/llm/script.ts';
import { type FakeFlavor, type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';
import { eventually } from './harness.ts';

/*
 * Provider failures as the consumer and the call log see them: a provider refusing the tenant's key
 * (which providers answer by quoting the key back) and other provider errors passed on scrubbed, and the
 * usage logged for an Anthropic stream the client walks away from.
 */

/**
 * The tenant's provider key as stored in the gateway; the providers expect another one (rotated there).
 * Its last four characters are letters no id, timestamp or count is made of: finding them means a leak.
 */
const TENANT_KEY = 'sk-tenant-stale-key-qzvkwyxj';
const FRAGMENTS = [TENANT_KEY.slice(0, 8), TENANT_KEY.slice(-4), 'sk-'];
const PROVIDERS: { flavor: FakeFlavor; provider: string; model: string }[] = [
  { flavor: 'openai', provider: 'openai', model: 'gpt-4o-mini' },
  { flavor: 'azure', provider: 'azure', model: 'prod-deploy' },
  { flavor: 'mistral', provider: 'mistral', model: 'mistral-small-latest' },
  { flavor: 'anthropic', provider: 'anthropic', model: 'claude-sonnet-4-5' },
  { flavor: 'gemini', provider: 'gemini', model: 'gemini-2.0-flash' },
];
const VALID_KEY = 'sk-valid-provider-key-999999999';

describe('AI provider errors', () => {
  let world: AiWorld;
  const fakes = new Map<string, FakeLlm>();
  let apiId: string;
  let openai: OpenAI;
  let anthropic: Anthropic;

  beforeAll(async () => {
    world = await startAiWorld(false);
    for (const p of PROVIDERS)
      fakes.set(p.flavor, await startFakeLlm({ flavor: p.flavor, apiKey: 'rotated-at-the-provider' }));
    const working = await startFakeLlm({ flavor: 'anthropic', apiKey: VALID_KEY });
    fakes.set('working', working);
    const seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [
        ...PROVIDERS.map((p) => ({
          provider: p.provider,
          baseUrl: (fakes.get(p.flavor) as FakeLlm).baseUrl,
          secret: TENANT_KEY,
        })),
        { provider: 'anthropic', baseUrl: working.baseUrl, secret: VALID_KEY },
      ],
      ai: (ids) => ({
        routes: [
          ...PROVIDERS.map((p, i) => ({
            name: p.flavor,
            targets: [{ credentialId: ids[i], model: p.model }],
          })),
          { name: 'working', targets: [{ credentialId: ids[PROVIDERS.length], model: 'claude-sonnet-4-5' }] },
        ],
        logging: { logBodies: true },
      }),
    });
    apiId = seeded.api.id;
    openai = new OpenAI({ apiKey: seeded.consumer.plaintext, baseURL: `${seeded.base}/v1`, maxRetries: 0 });
    anthropic = new Anthropic({ apiKey: seeded.consumer.plaintext, baseURL: seeded.base, maxRetries: 0 });
  });
  afterAll(async () => {
    await world?.close();
    for (const fake of fakes.values()) await fake.close();
  });

  const user = (content: string) => [{ role: 'user' as const, content }];
  const noFragment = (text: string) => {
    for (const fragment of FRAGMENTS) expect(text).not.toContain(fragment);
  };

  it.each(PROVIDERS)(
    "answers $flavor refusing the tenant's key with a generic 502 upstream_credentials_rejected, on both surfaces, streamed or not",
    async ({ flavor }) => {
      // the provider itself quotes the key back (OpenAI: its head and tail)
      const before = fakes.get(flavor)?.requests.length ?? 0;
      for (const stream of [false, true]) {
        const error = await openai.chat.completions
          .create({ model: flavor, messages: user('Hi'), stream })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(OpenAI.InternalServerError);
        const refused = error as InstanceType<typeof OpenAI.InternalServerError>;
        expect(refused.status).toBe(502);
        expect(refused.code).toBe(CREDENTIALS_REJECTED);
        expect(refused.message).toContain("rejected the gateway's credentials");
        noFragment(JSON.stringify(refused.error));

        const failed = await anthropic.messages
          .create({ model: flavor, max_tokens: 20, messages: user('Hi'), stream })
          .then(async (answer) => {
            // a stream is only refused when read
            if (stream) for await (const _ of answer as AsyncIterable<unknown>);
          })
          .catch((e: unknown) => e);
        expect(failed).toBeInstanceOf(Anthropic.InternalServerError);
        const body = (failed as InstanceType<typeof Anthropic.APIError>).error as {
          error: { type: string; message: string; code?: string };
        };
        expect(body.error).toMatchObject({ type: 'api_error', code: CREDENTIALS_REJECTED });
        noFragment(JSON.stringify(body));
      }
      expect(fakes.get(flavor)?.requests.length).toBe(before + 4);
    },
  );

  it('quotes the key back at the OpenAI fake, as OpenAI does (the premise of the test above)', async () => {
    const fake = fakes.get('openai') as FakeLlm;
    const answer = await fetch(`${fake.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TENANT_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: user('Hi') }),
    });
    expect(answer.status).toBe(401);
    const text = await answer.text();
    expect(text).toContain(FRAGMENTS[0]);
    expect(text).toContain(FRAGMENTS[1]);
  });

  it('logs refused calls under the stable code only, nothing of the key', async () => {
    await eventually(async () => {
      await world.gateway.flushUsage();
      const rows = await world.db.aiCallLog.count({ where: { apiId, errorCode: CREDENTIALS_REJECTED } });
      return rows >= PROVIDERS.length * 4;
    }, 3_000);
    const rows = await world.db.aiCallLog.findMany({ where: { apiId } });
    expect(rows.every((row) => row.errorCode === CREDENTIALS_REJECTED && row.status === 502)).toBe(true);
    noFragment(JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
    await world.gateway.flushUsage();
    noFragment(world.logLines.join('\n'));
  });

  it('scrubs key-like text from any other provider error it passes on', async () => {
    const fake = fakes.get('working') as FakeLlm;
    fake.failNext({ status: 400, message: 'Key sk-live-abcdef0123456789 may not use this model' });
    const error = await openai.chat.completions
      .create({ model: 'working', messages: user('Hi') })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain('Key [redacted] may not use this model');
    expect((error as Error).message).not.toContain('sk-live');
  });

  it("logs an Anthropic stream the client abandoned with message_start's input tokens, only the output estimated", async () => {
    const fake = fakes.get('working') as FakeLlm;
    fake.configure({
      tokenDelayMs: 40,
      reply: 'one two three four five six seven eight nine ten eleven twelve',
    });
    const prompt = 'Please count slowly to twelve for me';
    const controller = new AbortController();
    try {
      const stream = anthropic.messages.stream(
        { model: 'working', max_tokens: 100, messages: user(prompt) },
        { signal: controller.signal },
      );
      let deltas = 0;
      stream.on('text', () => {
        deltas++;
        if (deltas === 3) controller.abort();
      });
      await stream.done().catch(() => undefined);
      expect(deltas).toBeGreaterThanOrEqual(3);
      // the provider was still sending: the abort cut the stream mid-way
      expect(deltas).toBeLessThan(12);
      let row: Awaited<ReturnType<typeof world.db.aiCallLog.findFirst>> = null;
      await eventually(async () => {
        await world.gateway.flushUsage();
        row = await world.db.aiCallLog.findFirst({ where: { apiId, model: 'working', status: 499 } });
        return row !== null;
      }, 3_000);
      expect(row).toMatchObject({ stream: true, tokensIn: countWords([prompt]), tokensEstimated: true });
      expect((row as unknown as { tokensOut: number }).tokensOut).toBeGreaterThan(0);
    } finally {
      fake.configure({ tokenDelayMs: 0 });
    }
  });
});
