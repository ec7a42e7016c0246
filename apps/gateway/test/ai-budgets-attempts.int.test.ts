import { estimateTokens, loadTokenizer } from '@portcullis/ai/tokens';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';
import { eventually } from './harness.ts';

/*
 * Attempts the gateway gives up on (timeouts) are still generated and billed by the provider, so each
 * keeps its worst case counted, and a fallback attempt is sent only when the budget can hold another
 * worst case.
 */

const KEY = 'sk-budget-attempts';
const MODEL = 'gpt-4o-mini';
const MESSAGES = [{ role: 'user' as const, content: 'count to four please' }];
const PRICE = { provider: 'openai', model: MODEL, inputPerMillion: '3', outputPerMillion: '1' };

describe.each([
  ['in memory', false],
  ['in Redis', true],
])('AI budgets across routed attempts (%s)', (_label, redis) => {
  let world: AiWorld;
  let llm: FakeLlm;
  let input: number;

  beforeAll(async () => {
    await loadTokenizer(MODEL);
    input = estimateTokens(MESSAGES, MODEL).tokens;
    world = await startAiWorld(redis);
    llm = await startFakeLlm({ flavor: 'openai', apiKey: KEY, reply: 'one two three four' });
  });
  afterAll(async () => {
    await world?.close();
    await llm?.close();
  });

  async function seed(limit: number) {
    const seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [{ provider: 'openai', baseUrl: llm.baseUrl, secret: KEY }],
      ai: ([a]) => ({
        routes: [
          { name: 'alias', targets: [{ credentialId: a, model: MODEL }] },
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
      aiLimits: [{ metric: 'tokens', window: 'day', scope: 'key', limit: String(limit) }],
      prices: [PRICE],
    });
    return new OpenAI({ apiKey: seeded.consumer.plaintext, baseURL: `${seeded.base}/v1`, maxRetries: 0 });
  }

  it('sends no fallback attempt the budget cannot hold, and answers with the timeout', async () => {
    const worst = input + 100;
    const client = await seed(2 * worst);
    llm.configure({ latencyMs: 1_000 });
    const sent = llm.requests.length;
    let failed: unknown;
    try {
      failed = await client.chat.completions
        .create({ model: 'slow', messages: MESSAGES, max_tokens: 100 })
        .catch((error: unknown) => error);
    } finally {
      llm.configure({ latencyMs: 0 });
    }
    // two attempts fit the limit; a third would have needed a third worst case
    expect(llm.requests.length - sent).toBe(2);
    expect(failed).toBeInstanceOf(OpenAI.APIError);
    expect((failed as InstanceType<typeof OpenAI.APIError>).status).toBe(504);
    // both stay counted: not even the smallest call fits now
    const small = await client.chat.completions
      .create({ model: 'alias', messages: MESSAGES, max_tokens: 1 })
      .then(
        () => 'ok',
        (error: unknown) => (error instanceof OpenAI.RateLimitError ? 'refused' : error),
      );
    expect(small).toBe('refused');
  });

  it('gives an answered fallback its own reservation, settled to its usage', async () => {
    const worst = input + 100;
    const client = await seed(3 * worst);
    // the first attempt times out, the second answers in time
    llm.configure({ latencyMs: 1_000 });
    const sent = llm.requests.length;
    const answered = client.chat.completions.create({ model: 'slow', messages: MESSAGES, max_tokens: 100 });
    await eventually(async () => llm.requests.length > sent, 2_000);
    llm.configure({ latencyMs: 0 });
    await answered;
    expect(llm.requests.length - sent).toBe(2);
    // the timed-out attempt keeps one worst case, the answer its usage: a second worst case still fits
    const next = await client.chat.completions.create({
      model: 'alias',
      messages: MESSAGES,
      max_tokens: 2 * worst - input - 40,
    });
    expect(next.choices[0]?.message.content).toBeTruthy();
  });
});
