import Anthropic from '@anthropic-ai/sdk';
import { estimateTokens, loadTokenizer } from '@portcullis/ai/tokens';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';
import { eventually } from './harness.ts';

/*
 * Token limits and USD budgets hold under concurrency: each call reserves its worst case (counted input
 * + max_tokens, priced at the route's price) at admission and settles to its real usage at completion.
 * Fifty calls in flight together against a budget covering ten admit ten, and what stays counted is
 * exactly the usage the AI call log holds for them. Run with in-memory counters and with Redis.
 */

const KEY = 'sk-budget-reservations';
const MODEL = 'gpt-4o-mini';
const MESSAGES = [{ role: 'user' as const, content: 'count to four please' }];
const MAX_TOKENS = 20;
const REPLY = 'one two three four';
// micro-USD per token: input 3, output 1, so a probe's max_tokens moves its worst case one micro-USD at a time
const PRICE = { provider: 'openai', model: MODEL, inputPerMillion: '3', outputPerMillion: '1' };

type Metric = 'tokens' | 'usd';
type Outcome = 'ok' | 'refused';

describe.each([
  ['in memory', false],
  ['in Redis', true],
])('AI budget reservations (%s)', (_label, redis) => {
  let world: AiWorld;
  let llm: FakeLlm;
  /** the gateway's count of MESSAGES (the tokenizer loaded, as a warmed gateway counts) */
  let input: number;

  beforeAll(async () => {
    await loadTokenizer(MODEL);
    input = estimateTokens(MESSAGES, MODEL).tokens;
    world = await startAiWorld(redis);
    llm = await startFakeLlm({ flavor: 'openai', apiKey: KEY, reply: REPLY });
  });
  afterAll(async () => {
    await world?.close();
    await llm?.close();
  });

  /** A call's worst case in the limit's unit, for `maxTokens` of output. */
  const worst = (metric: Metric, maxTokens: number) => (metric === 'usd' ? 3 * input : input) + maxTokens;

  async function seed(metric: Metric, limit: number) {
    const amount = metric === 'usd' ? (limit / 1e6).toFixed(6) : String(limit);
    const seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [{ provider: 'openai', baseUrl: llm.baseUrl, secret: KEY }],
      ai: ([a]) => ({
        routes: [
          { name: 'alias', targets: [{ credentialId: a, model: MODEL }] },
          { name: 'embed', targets: [{ credentialId: a, model: 'text-embedding-3-small' }] },
        ],
      }),
      aiLimits: [{ metric, window: 'day', scope: 'key', limit: amount }],
      prices: [PRICE],
    });
    const client = new OpenAI({
      apiKey: seeded.consumer.plaintext,
      baseURL: `${seeded.base}/v1`,
      maxRetries: 0,
    });
    return { seeded, client };
  }

  async function ask(client: OpenAI, stream: boolean, maxTokens: number | undefined): Promise<Outcome> {
    const params = { model: 'alias', messages: MESSAGES, ...(maxTokens ? { max_tokens: maxTokens } : {}) };
    try {
      if (stream) {
        const chunks = await client.chat.completions.create({ ...params, stream: true });
        for await (const _chunk of chunks) {
          // read to the end
        }
      } else await client.chat.completions.create(params);
      return 'ok';
    } catch (error) {
      if (error instanceof OpenAI.RateLimitError) return 'refused';
      throw error;
    }
  }

  /** The AI call log rows of an API, once `count` of them are written. */
  async function rows(apiId: string, count: number) {
    await eventually(async () => {
      await world.gateway.flushUsage();
      return (await world.db.aiCallLog.count({ where: { apiId } })) >= count;
    }, 5_000);
    return world.db.aiCallLog.findMany({ where: { apiId } });
  }

  /**
   * Proves the counter holds exactly `used`: a call whose worst case is what is left is admitted, one
   * a unit larger is refused (the probe's own usage then stays counted too).
   */
  async function expectCounted(client: OpenAI, metric: Metric, limit: number, used: number) {
    const left = limit - used;
    const maxTokens = left - worst(metric, 0);
    expect(maxTokens).toBeGreaterThan(0);
    expect(await ask(client, false, maxTokens + 1)).toBe('refused');
    expect(await ask(client, false, maxTokens)).toBe('ok');
  }

  const usedBy = (metric: Metric, logged: { tokensIn: number; tokensOut: number; costMicros: bigint }[]) =>
    logged.reduce((sum, r) => sum + (metric === 'usd' ? Number(r.costMicros) : r.tokensIn + r.tokensOut), 0);

  it.each(['tokens', 'usd'] as const)(
    'fifty concurrent calls against a %s limit covering ten admit ten and settle to their usage',
    async (metric) => {
      const limit = 10 * worst(metric, MAX_TOKENS);
      const { seeded, client } = await seed(metric, limit);
      // slow enough that all fifty are in flight together
      llm.configure({ latencyMs: 1_500, tokenDelayMs: 0 });
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, (_, i) => ask(client, i % 2 === 0, MAX_TOKENS)),
      ).finally(() => llm.configure({ latencyMs: 0 }));
      const admitted = outcomes.filter((o) => o === 'ok').length;
      expect(admitted).toBe(10);
      const logged = await rows(seeded.api.id, admitted);
      expect(logged).toHaveLength(admitted);
      expect(logged.filter((r) => r.stream).length).toBeGreaterThan(0);
      expect(logged.filter((r) => !r.stream).length).toBeGreaterThan(0);
      const used = usedBy(metric, logged);
      expect(used).toBeGreaterThan(0);
      expect(used).toBeLessThanOrEqual(limit);
      await expectCounted(client, metric, limit, used);
    },
    30_000,
  );

  it('a stream its client aborts settles to the tokens it used', async () => {
    const limit = 3 * worst('tokens', 200);
    const { seeded, client } = await seed('tokens', limit);
    llm.configure({ tokenDelayMs: 100, reply: 'a b c d e f g h i j k l m n o p q r s t' });
    try {
      const controller = new AbortController();
      const stream = await client.chat.completions.create(
        { model: 'alias', messages: MESSAGES, max_tokens: 200, stream: true },
        { signal: controller.signal },
      );
      let chunks = 0;
      // the SDK ends the iteration (or throws its abort error) once aborted
      await (async () => {
        for await (const _chunk of stream) if (++chunks === 3) controller.abort();
      })().catch(() => undefined);
      expect(chunks).toBeLessThan(10);
    } finally {
      llm.configure({ tokenDelayMs: 0, reply: REPLY });
    }
    const [row] = await rows(seeded.api.id, 1);
    expect(row?.status).toBe(499);
    expect(row?.tokensOut).toBeGreaterThan(0);
    expect(row?.tokensOut).toBeLessThan(20);
    await expectCounted(client, 'tokens', limit, usedBy('tokens', row ? [row] : []));
  });

  it.each(['tokens', 'usd'] as const)(
    'a call the provider fails releases its %s reservation',
    async (metric) => {
      const limit = 2 * worst(metric, 100);
      const { seeded, client } = await seed(metric, limit);
      llm.failNext({ status: 400, message: 'Invalid request' });
      await expect(ask(client, false, 100)).rejects.toBeInstanceOf(OpenAI.BadRequestError);
      const [row] = await rows(seeded.api.id, 1);
      expect(row?.status).toBe(400);
      await expectCounted(client, metric, limit, 0);
    },
  );

  it('sends the reserved output cap to the provider when the caller gave none', async () => {
    const limit = worst('tokens', 4096);
    const { client } = await seed('tokens', limit);
    expect(await ask(client, false, undefined)).toBe('ok');
    expect(llm.lastRequest().body).toMatchObject({ max_completion_tokens: 4096 });
  });

  it('refuses a call whose worst case alone exceeds the limit, asking for a lower max_tokens', async () => {
    const { client } = await seed('tokens', worst('tokens', 100));
    const refused = await client.chat.completions
      .create({ model: 'alias', messages: MESSAGES, max_tokens: 101 })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    const error = refused as InstanceType<typeof OpenAI.RateLimitError>;
    expect(error.code).toBe('token_limit_exceeded');
    expect(error.message).toContain('lower max_tokens');
    // retrying the same call cannot help: the official SDKs honour this and do not
    expect(error.headers?.get('x-should-retry')).toBe('false');
    expect(await ask(client, false, 100)).toBe('ok');
  });

  it('Anthropic messages and embeddings reserve and settle on the same counters', async () => {
    const limit = 3 * worst('tokens', 100);
    const { seeded, client } = await seed('tokens', limit);
    const anthropic = new Anthropic({
      apiKey: seeded.consumer.plaintext,
      baseURL: seeded.base,
      maxRetries: 0,
    });
    await anthropic.messages.create({ model: 'alias', max_tokens: 100, messages: MESSAGES });
    await client.embeddings.create({ model: 'embed', input: ['vector me please', 'and me'] });
    const logged = await rows(seeded.api.id, 2);
    expect(logged.map((r) => r.surface).sort()).toEqual(['embeddings', 'messages']);
    const refused = await anthropic.messages
      .create({ model: 'alias', max_tokens: limit, messages: MESSAGES })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Anthropic.RateLimitError);
    expect((refused as Error).message).toContain('lower max_tokens');
    await expectCounted(client, 'tokens', limit, usedBy('tokens', logged));
  });
});
