import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';
import { call } from './harness.ts';

/* Prometheus metrics of AI traffic, scraped from /metrics after calls through the official SDK. */

const KEY = 'sk-metrics-secret';

/** The value of one sample line (`name{labels} value`) whose labels include all of `labels`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const wanted = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (wanted) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('AI metrics', () => {
  let world: AiWorld;
  let primary: FakeLlm;
  let secondary: FakeLlm;

  beforeAll(async () => {
    world = await startAiWorld(false);
    primary = await startFakeLlm({ flavor: 'openai', apiKey: KEY, reply: 'one two three' });
    secondary = await startFakeLlm({ flavor: 'openai', apiKey: KEY, reply: 'four five' });
  });
  afterAll(async () => {
    await world?.close();
    await primary?.close();
    await secondary?.close();
  });

  it('counts tokens, cost, calls by status, fallbacks and latency by API, route name and provider', async () => {
    const seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [
        { provider: 'openai', baseUrl: primary.baseUrl, secret: KEY },
        { provider: 'openai', baseUrl: secondary.baseUrl, secret: KEY },
      ],
      ai: ([a, b]) => ({
        routes: [
          {
            name: 'smart',
            maxAttempts: 2,
            targets: [
              { credentialId: a, model: 'gpt-4o-mini', weight: 1 },
              { credentialId: b, model: 'gpt-4o-mini', weight: 0 },
            ],
          },
        ],
      }),
      prices: [
        { provider: 'openai', model: 'gpt-4o-mini', inputPerMillion: '1000', outputPerMillion: '2000' },
      ],
    });
    const client = new OpenAI({
      apiKey: seeded.consumer.plaintext,
      baseURL: `${seeded.base}/v1`,
      maxRetries: 0,
    });
    const messages = [{ role: 'user' as const, content: 'hello' }];
    const first = await client.chat.completions.create({ model: 'smart', messages });
    primary.failNext({ status: 500 });
    await client.chat.completions.create({ model: 'smart', messages });
    const stream = await client.chat.completions.create({ model: 'smart', messages, stream: true });
    for await (const _ of stream) {
      // read to the end
    }
    const unknownModel = `made-up-${Date.now()}`;
    await expect(client.chat.completions.create({ model: unknownModel, messages })).rejects.toThrow();

    const res = await call(world.gateway.url, '/metrics');
    expect(res.status).toBe(200);
    const text = res.text;
    const labels = { api: seeded.api.id, model: 'smart', provider: 'openai' };
    expect(sample(text, 'gateway_ai_calls_total', { ...labels, status: '200' })).toBe(3);
    expect(sample(text, 'gateway_ai_fallbacks_total', { ...labels, reason: 'server_error' })).toBe(1);
    const tokensIn = sample(text, 'gateway_ai_tokens_total', { ...labels, direction: 'in' }) ?? 0;
    const tokensOut = sample(text, 'gateway_ai_tokens_total', { ...labels, direction: 'out' }) ?? 0;
    expect(tokensIn).toBeGreaterThanOrEqual(3 * (first.usage?.prompt_tokens ?? 1));
    expect(tokensOut).toBeGreaterThan(0);
    // $1000 and $2000 per million tokens: 0.001 and 0.002 USD per token
    expect(sample(text, 'gateway_ai_cost_usd_total', labels)).toBeCloseTo(
      tokensIn * 0.001 + tokensOut * 0.002,
      9,
    );
    expect(sample(text, 'gateway_ai_call_duration_seconds_count', labels)).toBe(3);
    expect(sample(text, 'gateway_ai_time_to_first_token_seconds_count', labels)).toBe(1);
    // a model name a caller made up never becomes a label value
    expect(text).not.toContain(unknownModel);
  });
});
