import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { type BudgetCounterStore, MemoryBudgetStore, RedisBudgetStore } from '../src/ai/budget-stores.ts';
import { readGatewayEnv } from '../src/env.ts';
import { eventually } from './harness.ts';

/* The budget counter stores' shared contract: reservations are atomic per counter, all or nothing per call. */

const prefix = `portcullis-test:${randomBytes(6).toString('hex')}:`;
const redisStore = () =>
  new RedisBudgetStore({
    redisUrl: readGatewayEnv().REDIS_URL ?? 'redis://127.0.0.1:6379',
    keyPrefix: prefix,
  });
const TTL = 60_000;
const entry = (key: string, amount: bigint, limit: bigint) => ({ key, amount, limit, ttlMs: TTL });

describe.each([
  ['memory', () => new MemoryBudgetStore()],
  ['Redis', redisStore],
] as const)('budget counter store (%s)', (_label, create) => {
  const store: BudgetCounterStore = create();
  let n = 0;
  const key = () => `ai:{contract-${randomBytes(4).toString('hex')}-${n++}}:tokens:day:0`;

  afterAll(async () => {
    if (store instanceof RedisBudgetStore) {
      const keys = await store.client.keys(`${prefix}*`);
      if (keys.length > 0) await store.client.del(...keys.map((k) => k.slice(prefix.length)));
    }
    await store.close();
  });

  it('admits exactly what fits when a hundred reservations race for one counter', async () => {
    const k = key();
    const results = await Promise.all(Array.from({ length: 100 }, () => store.reserve([entry(k, 3n, 30n)])));
    expect(results.filter((r) => r === -1)).toHaveLength(10);
    expect(await store.get([k])).toEqual([30n]);
  });

  it('takes nothing from any counter when one of them refuses', async () => {
    const [a, b] = [key(), key()];
    await store.add([{ key: b, amount: 8n, ttlMs: TTL }]);
    expect(await store.reserve([entry(a, 5n, 100n), entry(b, 5n, 10n)])).toBe(1);
    expect(await store.get([a, b])).toEqual([0n, 8n]);
    expect(await store.reserve([entry(a, 5n, 100n), entry(b, 2n, 10n)])).toBe(-1);
    expect(await store.get([a, b])).toEqual([5n, 10n]);
  });

  it('refuses a free call on a counter at its limit, and settles by negative amounts', async () => {
    const k = key();
    expect(await store.reserve([entry(k, 0n, 0n)])).toBe(0);
    expect(await store.reserve([entry(k, 10n, 10n)])).toBe(-1);
    expect(await store.reserve([entry(k, 0n, 10n)])).toBe(0);
    await store.add([{ key: k, amount: -6n, ttlMs: TTL }]);
    expect(await store.get([k])).toEqual([4n]);
    expect(await store.reserve([entry(k, 6n, 10n)])).toBe(-1);
  });
});

/** The Redis store whose next give-back write fails, as one would while Redis is briefly unreachable. */
class FlakyGiveBack extends RedisBudgetStore {
  failures = 1;
  override async add(entries: readonly { key: string; amount: bigint; ttlMs: number }[]): Promise<void> {
    if (entries.some((e) => e.amount < 0n) && this.failures > 0) {
      this.failures--;
      throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    }
    return super.add(entries);
  }
}

describe('Redis budget store while a give-back fails', () => {
  const errors: unknown[] = [];
  const store = new FlakyGiveBack({
    redisUrl: readGatewayEnv().REDIS_URL ?? 'redis://127.0.0.1:6379',
    keyPrefix: prefix,
    onError: (error) => errors.push(error),
  });
  afterAll(async () => {
    const keys = await store.client.keys(`${prefix}*`);
    if (keys.length > 0) await store.client.del(...keys.map((k) => k.slice(prefix.length)));
    await store.close();
  });

  it('gives back what a refused reservation took once the write goes through', async () => {
    const tag = randomBytes(4).toString('hex');
    const [a, b] = [`ai:{giveback-a-${tag}}:tokens:day:0`, `ai:{giveback-b-${tag}}:tokens:day:0`];
    await store.add([{ key: b, amount: 8n, ttlMs: TTL }]);
    expect(await store.reserve([entry(a, 5n, 100n), entry(b, 5n, 10n)])).toBe(1);
    await eventually(async () => (await store.get([a]))[0] === 0n, 2_000);
    expect(errors).toHaveLength(1);
  });
});
