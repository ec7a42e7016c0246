import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { estimateTokens, isTokenizerLoaded, loadTokenizer } from '@portcullis/ai/tokens';
import type { AiLimits } from '@portcullis/core/ai-config';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import {
  type BudgetCounterStore,
  type CounterReservation,
  RedisBudgetStore,
} from '../src/ai/budget-stores.ts';
import { AiBudgets } from '../src/ai/budgets.ts';
import { readGatewayEnv } from '../src/env.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';
import { eventually } from './harness.ts';

/*
 * Edges of budget reservations: what a call can make the provider bill beyond what it reserved, limits
 * sharing a counter, and settles while the counter store is unreachable. Each
 * case states what a budget must guarantee; the counters, the AI call log and the usage rollups are
 * compared where they meet.
 */

const KEY = 'sk-budget-edges';
const MODEL = 'gpt-4o-mini';
const MESSAGES = [{ role: 'user' as const, content: 'count to four please' }];
const REPLY = 'one two three four';
const PRICE = { provider: 'openai', model: MODEL, inputPerMillion: '3', outputPerMillion: '1' };

type Limit = AiLimits[number];

/*
 * First in this file, before anything loads a tokenizer: a gateway that has just started counts the
 * input of its first calls without one (isTokenizerLoaded is false until the lazy load finishes).
 */
describe('AI budgets right after the gateway starts', () => {
  const coldModel = 'gpt-4-turbo'; // cl100k_base, loaded by nothing else here
  let world: AiWorld;
  let llm: FakeLlm;

  beforeAll(async () => {
    world = await startAiWorld(true);
    llm = await startFakeLlm({ flavor: 'openai', apiKey: KEY, reply: REPLY, latencyMs: 600 });
  });
  afterAll(async () => {
    await world?.close();
    await llm?.close();
  });

  it('reserves the input of the first calls as the tokenizer counts it, so they stay within the limit', async () => {
    expect(isTokenizerLoaded(coldModel)).toBe(false);
    const words = 1_000;
    // one token a word for the tokenizer (and for the provider), half a token a word for a 4-characters rule
    const content = 'a '.repeat(words);
    const limit = 3 * (words + 30);
    const seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [{ provider: 'openai', baseUrl: llm.baseUrl, secret: KEY }],
      ai: ([a]) => ({ routes: [{ name: 'legacy', targets: [{ credentialId: a, model: coldModel }] }] }),
      aiLimits: [{ metric: 'tokens', window: 'day', scope: 'key', limit: String(limit) }],
      prices: [{ ...PRICE, model: coldModel }],
    });
    const client = new OpenAI({
      apiKey: seeded.consumer.plaintext,
      baseURL: `${seeded.base}/v1`,
      maxRetries: 0,
    });
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, () =>
        client.chat.completions
          .create({ model: 'legacy', max_tokens: 20, messages: [{ role: 'user', content }] })
          .then(
            () => true,
            (error: unknown) => {
              if (error instanceof OpenAI.RateLimitError) return false;
              throw error;
            },
          ),
      ),
    );
    const admitted = outcomes.filter(Boolean).length;
    await eventually(async () => {
      await world.gateway.flushUsage();
      return (await world.db.aiCallLog.count({ where: { apiId: seeded.api.id } })) >= admitted;
    }, 5_000);
    const logged = await world.db.aiCallLog.findMany({ where: { apiId: seeded.api.id } });
    expect(logged.every((r) => r.tokensIn >= words)).toBe(true);
    expect(logged.reduce((sum, r) => sum + r.tokensIn + r.tokensOut, 0)).toBeLessThanOrEqual(limit);
  });
});

describe.each([
  ['in memory', false],
  ['in Redis', true],
])('AI budget edge cases (%s)', (_label, redis) => {
  let world: AiWorld;
  let llm: FakeLlm;
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

  const worstTokens = (maxTokens: number) => input + maxTokens;

  async function seed(aiLimits: Limit[], options: { provider?: string; prices?: (typeof PRICE)[] } = {}) {
    const provider = options.provider ?? 'openai';
    const seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [{ provider, baseUrl: llm.baseUrl, secret: KEY }],
      ai: ([a]) => ({
        routes: [
          { name: 'alias', targets: [{ credentialId: a, model: MODEL }] },
          { name: 'embed', targets: [{ credentialId: a, model: 'text-embedding-3-small' }] },
          {
            name: 'slow',
            timeoutMs: 300,
            targets: [
              { credentialId: a, model: MODEL },
              { credentialId: a, model: MODEL },
            ],
          },
        ],
      }),
      aiLimits,
      prices: options.prices ?? [{ ...PRICE, provider }],
    });
    const client = new OpenAI({
      apiKey: seeded.consumer.plaintext,
      baseURL: `${seeded.base}/v1`,
      maxRetries: 0,
    });
    return { seeded, client };
  }

  async function admitted(call: () => Promise<unknown>): Promise<boolean> {
    try {
      await call();
      return true;
    } catch (error) {
      if (error instanceof OpenAI.RateLimitError) return false;
      throw error;
    }
  }

  const ask = (client: OpenAI, maxTokens: number) =>
    admitted(() =>
      client.chat.completions.create({ model: 'alias', messages: MESSAGES, max_tokens: maxTokens }),
    );

  async function rows(apiId: string, count: number) {
    await eventually(async () => {
      await world.gateway.flushUsage();
      return (await world.db.aiCallLog.count({ where: { apiId } })) >= count;
    }, 5_000);
    return world.db.aiCallLog.findMany({ where: { apiId } });
  }

  const tokensOf = (logged: { tokensIn: number; tokensOut: number }[]) =>
    logged.reduce((sum, r) => sum + r.tokensIn + r.tokensOut, 0);

  /** The usage rollups of a subscription agree with its AI call log rows (Redis: through the metering worker). */
  async function expectRollupsMatch(
    subscriptionId: string,
    logged: { tokensIn: number; tokensOut: number; costMicros: bigint }[],
  ) {
    await world.usageSettled();
    const rollups = await world.db.usageRollup.findMany({ where: { subscriptionId } });
    const sum = (f: 'tokensIn' | 'tokensOut' | 'costMicros') => rollups.reduce((s, r) => s + r[f], 0n);
    expect(sum('tokensIn')).toBe(BigInt(logged.reduce((s, r) => s + r.tokensIn, 0)));
    expect(sum('tokensOut')).toBe(BigInt(logged.reduce((s, r) => s + r.tokensOut, 0)));
    expect(sum('costMicros')).toBe(logged.reduce((s, r) => s + r.costMicros, 0n));
  }

  it('counts a document sent as a file part in the input it reserves, so concurrent calls stay within the limit', async () => {
    const documentWords = 600;
    const document = Array.from({ length: documentWords }, (_, i) => `w${i}`).join(' ');
    const fileData = `data:application/pdf;base64,${Buffer.from(document).toString('base64')}`;
    const limit = 3 * (documentWords + 60);
    const { seeded, client } = await seed([
      { metric: 'tokens', window: 'day', scope: 'key', limit: String(limit) },
    ]);
    llm.configure({ latencyMs: 800 });
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, () =>
        admitted(() =>
          client.chat.completions.create({
            model: 'alias',
            max_tokens: 20,
            messages: [
              {
                role: 'user',
                content: [
                  { type: 'text', text: 'summarise this' },
                  { type: 'file', file: { filename: 'report.pdf', file_data: fileData } },
                ],
              },
            ],
          }),
        ),
      ),
    ).finally(() => llm.configure({ latencyMs: 0 }));
    const logged = await rows(seeded.api.id, outcomes.filter(Boolean).length);
    await expectRollupsMatch(seeded.consumer.subscription.id, logged);
    // each admitted call made the provider bill its ~600-token document
    expect(logged.every((r) => r.tokensIn >= documentWords)).toBe(true);
    expect(tokensOf(logged)).toBeLessThanOrEqual(limit);
  });

  it('counts each call once when two limits of the same metric, window and scope share a counter', async () => {
    const limit = 10 * worstTokens(20);
    const { seeded, client } = await seed([
      { metric: 'tokens', window: 'day', scope: 'key', limit: String(limit) },
      { metric: 'tokens', window: 'day', scope: 'key', limit: String(100 * limit) },
    ]);
    expect(await ask(client, 20)).toBe(true);
    const logged = await rows(seeded.api.id, 1);
    const left = limit - tokensOf(logged);
    // a call whose worst case is exactly what is left of the tighter limit fits
    expect(await ask(client, left - input)).toBe(true);
  });

  it('sends an OpenAI-compatible provider no output cap above the one reserved', async () => {
    const limit = 2 * worstTokens(5);
    const { client } = await seed([{ metric: 'tokens', window: 'day', scope: 'key', limit: String(limit) }], {
      provider: 'deepseek',
    });
    const ok = await admitted(() =>
      client.chat.completions.create({
        model: 'alias',
        messages: MESSAGES,
        max_completion_tokens: 5,
        max_tokens: 4000,
      }),
    );
    expect(ok).toBe(true);
    const sent = llm.lastRequest().body as { max_tokens?: number; max_completion_tokens?: number };
    // DeepSeek (like many OpenAI-compatible servers) honours max_tokens
    expect(sent.max_tokens ?? 0).toBeLessThanOrEqual(5);
    expect(sent.max_completion_tokens ?? 0).toBeLessThanOrEqual(5);
  });

  it('keeps a stream within its reserved output when the provider streams past max_tokens', async () => {
    const limit = worstTokens(3);
    const { seeded, client } = await seed([
      { metric: 'tokens', window: 'day', scope: 'key', limit: String(limit) },
    ]);
    llm.configure({ reply: 'a b c d e f g h i j k l m n o p q r s t' });
    try {
      const stream = await client.chat.completions.create({
        model: 'alias',
        messages: MESSAGES,
        max_tokens: 3,
        stream: true,
      });
      for await (const _chunk of stream) {
        // read to the end
      }
    } finally {
      llm.configure({ reply: REPLY });
    }
    const logged = await rows(seeded.api.id, 1);
    expect(logged[0]?.tokensOut).toBeLessThanOrEqual(3);
    expect(tokensOf(logged)).toBeLessThanOrEqual(limit);
  });

  it('keeps a call the gateway stopped waiting for counted: the provider still bills what it generated', async () => {
    const limit = 3 * worstTokens(100);
    const { seeded, client } = await seed([
      { metric: 'tokens', window: 'day', scope: 'key', limit: String(limit) },
    ]);
    llm.configure({ latencyMs: 1_000 });
    const sent = llm.requests.length;
    try {
      const failed = await client.chat.completions
        .create({ model: 'slow', messages: MESSAGES, max_tokens: 100 })
        .catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(OpenAI.APIError);
    } finally {
      llm.configure({ latencyMs: 0 });
    }
    // every attempt (maxAttempts, 3, across the two targets) was sent and is generated to its end
    expect(llm.requests.length - sent).toBe(3);
    await rows(seeded.api.id, 1);
    // so its worst case stays counted: a call that would take the whole limit no longer fits
    expect(await ask(client, limit - input)).toBe(false);
  });
});

/** A counter store that can be made unreachable, over the real Redis store. */
class UnreachableStore implements BudgetCounterStore {
  readonly kind = 'redis' as const;
  down = false;
  constructor(readonly inner: BudgetCounterStore) {}
  private check(): void {
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
  }
  get(keys: readonly string[]) {
    return this.inner.get(keys);
  }
  async reserve(entries: readonly CounterReservation[]) {
    this.check();
    return this.inner.reserve(entries);
  }
  async add(entries: readonly { key: string; amount: bigint; ttlMs: number }[]) {
    this.check();
    return this.inner.add(entries);
  }
  close() {
    return this.inner.close();
  }
}

describe('AI budget settles while the Redis counter store is unreachable', () => {
  const prefix = `portcullis-test:${randomBytes(6).toString('hex')}:`;
  const redisStore = new RedisBudgetStore({
    redisUrl: readGatewayEnv().REDIS_URL ?? 'redis://127.0.0.1:6379',
    keyPrefix: prefix,
  });
  const limits: AiLimits = [{ metric: 'tokens', window: 'day', scope: 'key', limit: '1000' }];
  const callers = () => ({
    planId: randomUUID(),
    subscriptionId: randomUUID(),
    keyId: randomUUID(),
    orgId: randomUUID(),
  });
  const worst = (tokens: number) => ({ tokens, costMicros: 0n });
  /** the counter of the key-scoped daily token limit, as budgets.ts names it */
  const counterOf = (c: ReturnType<typeof callers>) => {
    const now = new Date();
    const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    return `ai:{plan:${c.planId}:sub:${c.subscriptionId}:key:${c.keyId}}:tokens:day:${day}`;
  };

  afterAll(async () => {
    const keys = await redisStore.client.keys(`${prefix}*`);
    if (keys.length > 0) await redisStore.client.del(...keys.map((k) => k.slice(prefix.length)));
    await redisStore.close();
  });

  it('applies a settle that failed once the store is back, instead of keeping the worst case counted', async () => {
    const store = new UnreachableStore(redisStore);
    const budgets = new AiBudgets(store, Date.now, () => undefined);
    const caller = callers();
    const reserved = await budgets.reserve(limits, caller, worst(800));
    expect(reserved.ok).toBe(true);
    store.down = true;
    if (reserved.ok) reserved.value.settle(100, 0n);
    await sleep(50);
    store.down = false;
    await eventually(async () => (await redisStore.get([counterOf(caller)]))[0] === 100n, 2_000);
  });

  it('counts the usage of a call admitted while the store was unreachable once it is back', async () => {
    const store = new UnreachableStore(redisStore);
    const budgets = new AiBudgets(store, Date.now, () => undefined);
    const caller = callers();
    store.down = true;
    const reserved = await budgets.reserve(limits, caller, worst(700));
    expect(reserved.ok).toBe(true);
    if (reserved.ok) reserved.value.settle(700, 0n);
    await sleep(50);
    store.down = false;
    await eventually(async () => (await redisStore.get([counterOf(caller)]))[0] === 700n, 2_000);
  });
});
