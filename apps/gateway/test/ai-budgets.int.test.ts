import { loadTokenizer } from '@portcullis/ai/tokens';
import { generateApiKey } from '@portcullis/core/keys';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';

/*
 * Token limits and USD budgets belong to a plan: a counter of one API's plan never refuses calls to
 * another API, whoever the caller shares with it (the same key, or the same consumer org across
 * tenants). Run with in-memory counters (one gateway) and with Redis counters.
 */

const KEY = 'sk-budget-scope-secret';
const PRICE = { provider: 'openai', model: 'gpt-4o-mini', inputPerMillion: '1', outputPerMillion: '2' };

type Outcome = 'ok' | 'token_limit_exceeded' | 'budget_exceeded' | 'other';

async function ask(client: OpenAI): Promise<Outcome> {
  try {
    await client.chat.completions.create({
      model: 'alias',
      messages: [{ role: 'user', content: 'hello there' }],
      // with ~8 input tokens counted a call reserves ~18 tokens, or ~28 micro-USD at PRICE
      max_tokens: 10,
    });
    return 'ok';
  } catch (error) {
    if (error instanceof OpenAI.RateLimitError) {
      if (error.code === 'token_limit_exceeded' || error.code === 'budget_exceeded') return error.code;
    }
    return 'other';
  }
}

/** Calls until the first refusal: a call is refused once its worst case no longer fits what is left. */
async function askUntilRefused(client: OpenAI, max = 6): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  while (outcomes.length < max) {
    const outcome = await ask(client);
    outcomes.push(outcome);
    if (outcome !== 'ok') break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return outcomes;
}

describe.each([
  ['in memory', false],
  ['in Redis', true],
])('AI limits are counted per plan (%s)', (_label, redis) => {
  let world: AiWorld;
  let llm: FakeLlm;

  beforeAll(async () => {
    // counted as a warmed gateway counts (before that, input is estimated by length)
    await loadTokenizer('gpt-4o-mini');
    world = await startAiWorld(redis);
    llm = await startFakeLlm({ flavor: 'openai', apiKey: KEY, reply: 'four words of reply' });
  });
  afterAll(async () => {
    await world?.close();
    await llm?.close();
  });

  const seedApi = (aiLimits: unknown) =>
    seedAiApi(world, {
      kind: 'AI',
      credentials: [{ provider: 'openai', baseUrl: llm.baseUrl, secret: KEY }],
      ai: ([a]) => ({ routes: [{ name: 'alias', targets: [{ credentialId: a, model: 'gpt-4o-mini' }] }] }),
      aiLimits,
      prices: [PRICE],
    });
  const client = (apiKey: string, base: string) =>
    new OpenAI({ apiKey, baseURL: `${base}/v1`, maxRetries: 0 });

  /** Another app of `orgId`, subscribed to `planId`, with its own key. */
  async function addApp(orgId: string, planId: string): Promise<string> {
    const app = await world.db.app.create({ data: { orgId, name: `app-${planId.slice(-6)}` } });
    await world.db.subscription.create({ data: { appId: app.id, planId, status: 'ACTIVE' } });
    const key = generateApiKey();
    await world.db.apiKey.create({
      data: { appId: app.id, name: 'k', hash: key.hash, prefix: key.prefix, last4: key.last4 },
    });
    return key.plaintext;
  }

  it.each([
    ['a key', 'key'],
    ['an app', 'app'],
  ] as const)(
    '%s that used up its token limit on one AI API still calls another AI API',
    async (_, scope) => {
      const limits = [{ metric: 'tokens', window: 'day', scope, limit: '24' }];
      const x = await seedApi(limits);
      const y = await seedApi(limits);
      // The same app (and key) subscribed to both APIs' plans.
      await world.db.subscription.create({
        data: { appId: x.consumer.app.id, planId: y.plan.id, status: 'ACTIVE' },
      });
      const onX = client(x.consumer.plaintext, x.base);
      const onY = client(x.consumer.plaintext, y.base);

      const spentX = await askUntilRefused(onX);
      expect(spentX.at(-1)).toBe('token_limit_exceeded');
      expect(spentX.filter((o) => o === 'ok').length).toBeGreaterThanOrEqual(1);
      // Y's plan has its own counter for this key/app: untouched by the calls to X.
      expect(await ask(onY)).toBe('ok');
      const spentY = await askUntilRefused(onY);
      expect(spentY.at(-1)).toBe('token_limit_exceeded');
      // X stays refused: its counter is still used up.
      expect(await ask(onX)).toBe('token_limit_exceeded');
    },
  );

  it('an org-scoped budget on APIs of two tenants is counted separately for each tenant', async () => {
    const limits = [{ metric: 'usd', window: 'day', scope: 'org', limit: '0.00004' }];
    const tenantA = await seedApi(limits);
    const tenantB = await seedApi(limits);
    expect(tenantA.org.id).not.toBe(tenantB.org.id);
    const consumerOrg = tenantA.consumer.org.id;
    // One consumer org: one app on tenant A's plan (seeded), another on tenant B's plan, a third on A's.
    const keyOnB = await addApp(consumerOrg, tenantB.plan.id);
    const otherKeyOnA = await addApp(consumerOrg, tenantA.plan.id);
    const onA = client(tenantA.consumer.plaintext, tenantA.base);
    const onB = client(keyOnB, tenantB.base);

    const spentA = await askUntilRefused(onA);
    expect(spentA.at(-1)).toBe('budget_exceeded');
    // The org's budget on tenant A's plan is shared by its apps there…
    expect(await ask(client(otherKeyOnA, tenantA.base))).toBe('budget_exceeded');
    // …but tenant B's plan has its own budget for the org, untouched by the calls to tenant A.
    expect(await ask(onB)).toBe('ok');
    const spentB = await askUntilRefused(onB);
    expect(spentB.at(-1)).toBe('budget_exceeded');
  });
});
