import { generateApiKey } from '@portcullis/core/keys';
import { createDb, type Db } from '@portcullis/db';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOrg, seedProviderWithApi, seedUser, uniq } from '../../../test/fixtures.ts';
import { readGatewayEnv } from '../src/env.ts';
import { type ChildGateway, spawnGateway } from './child-gateway.ts';
import { startUpstream, type TestUpstream } from './harness.ts';

const BUDGET = 64 * 1024;
const KEYS = 1_500;
const UNKNOWN_KEYS = 1_000;

/** `count` apps of one consumer org, each subscribed with one key; returns the keys. */
async function seedKeys(db: Db, planId: string, count: number): Promise<string[]> {
  const owner = await seedUser(db, 'budget');
  const org = await seedOrg(db, owner.id, 'OWNER', 'budget');
  const prefix = uniq('budget');
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  await db.app.createMany({ data: ids.map((id) => ({ id, orgId: org.id, name: id })) });
  await db.subscription.createMany({ data: ids.map((id) => ({ appId: id, planId, status: 'ACTIVE' })) });
  const keys = ids.map(() => generateApiKey());
  await db.apiKey.createMany({
    data: keys.map((key, i) => ({
      appId: ids[i] as string,
      name: 'budget',
      hash: key.hash,
      prefix: key.prefix,
      last4: key.last4,
    })),
  });
  return keys.map((key) => key.plaintext);
}

/** gateway_<family>{cache="…"} values from a /metrics text. */
function byCache(text: string, family: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const match of text.matchAll(new RegExp(`^gateway_${family}\\{cache="([^"]+)"\\} (\\S+)$`, 'gm'))) {
    values.set(match[1] as string, Number(match[2]));
  }
  return values;
}

describe('config cache byte budgets, in a gateway process', () => {
  let db: Db;
  let upstream: TestUpstream;
  let gateway: ChildGateway;
  let keys: string[];
  let path: string;

  beforeAll(async () => {
    const env = readGatewayEnv();
    db = createDb(env.DATABASE_URL, 2);
    upstream = await startUpstream();
    const provider = await seedProviderWithApi(db, {
      upstreamUrl: upstream.url,
      rateLimit: 1_000_000,
      monthlyQuota: 1_000_000,
      requiresApproval: false,
    });
    path = `/${provider.org.slug}/${provider.api.slug}/ping`;
    keys = await seedKeys(db, provider.plan.id, KEYS);
    gateway = await spawnGateway({
      DATABASE_URL: env.DATABASE_URL,
      GATEWAY_PORT: '0',
      GATEWAY_WORKERS: '1',
      GATEWAY_ROUTE_CACHE_MAX_BYTES: String(BUDGET),
      GATEWAY_KEY_CACHE_MAX_BYTES: String(BUDGET),
      GATEWAY_SUBSCRIPTION_CACHE_MAX_BYTES: String(BUDGET),
      GATEWAY_QUOTA_CACHE_MAX_BYTES: String(BUDGET),
      GATEWAY_AI_CONFIG_CACHE_MAX_BYTES: String(BUDGET),
      GATEWAY_UNKNOWN_CACHE_MAX_BYTES: String(BUDGET),
    });
  }, 120_000);
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
    await db?.$disconnect();
  });

  it('keeps every cache within its byte budget while many distinct and unknown keys go through', async () => {
    const client = new Pool(gateway.url, { connections: 8 });
    const statuses: Record<number, number> = {};
    const send = async (key: string) => {
      const res = await client.request({ method: 'GET', path, headers: { authorization: `Bearer ${key}` } });
      await res.body.dump();
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
    };
    const unknown = Array.from({ length: UNKNOWN_KEYS }, () => generateApiKey().plaintext);
    const all = [...keys, ...unknown];
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < all.length) await send(all[next++] as string);
      }),
    );
    // Used again: evicted keys load again and are answered the same.
    for (const key of keys.slice(0, 20)) await send(key);
    await client.close();
    expect(statuses).toEqual({ 200: KEYS + 20, 401: UNKNOWN_KEYS });

    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    const bytes = byCache(text, 'cache_bytes');
    const entries = byCache(text, 'cache_entries');
    const budgets = byCache(text, 'cache_budget_bytes');
    // An app's subscribed APIs (the app's MCP server) take a quarter of the subscription budget.
    expect(budgets.get('app_apis')).toBe(BUDGET / 4);
    const budgetOf = (cache: string) => (cache === 'subscriptions' ? (BUDGET * 3) / 4 : BUDGET);
    for (const cache of ['keys', 'subscriptions', 'quota_bases', 'keys_unknown']) {
      const budget = budgetOf(cache);
      expect(budgets.get(cache), cache).toBe(budget);
      expect(bytes.get(cache), cache).toBeGreaterThan(budget / 2);
      expect(bytes.get(cache), cache).toBeLessThanOrEqual(budget);
      // Far fewer entries than distinct keys: the budget, not a count, bounded them.
      expect(entries.get(cache), cache).toBeLessThan(KEYS / 4);
    }
    for (const [cache, value] of bytes) expect(value, cache).toBeLessThanOrEqual(budgets.get(cache) ?? 0);
  }, 120_000);
});
