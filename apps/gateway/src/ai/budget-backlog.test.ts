import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { AddBacklog, type CounterAdd } from './budget-backlog.ts';

/** A counter store whose adds fail while `down`. */
function flakyStore() {
  const counters = new Map<string, bigint>();
  const state = { down: false, counters, errors: [] as string[] };
  const add = async (entry: CounterAdd) => {
    if (state.down) throw new Error('ECONNREFUSED');
    counters.set(entry.key, (counters.get(entry.key) ?? 0n) + entry.amount);
  };
  return { state, add };
}

const move = (key: string, amount: bigint, ttlMs = 60_000): CounterAdd => ({ key, amount, ttlMs });

describe('AI budget add backlog', () => {
  it('retries moves the store refused until it answers, adding up moves on one counter', async () => {
    const { state, add } = flakyStore();
    const backlog = new AddBacklog({
      add,
      now: Date.now,
      onError: (e) => state.errors.push(String(e)),
      firstRetryMs: 10,
    });
    state.down = true;
    backlog.submit([move('a', -700n), move('b', 5n)]);
    backlog.submit([move('a', 20n)]);
    await sleep(30);
    expect(backlog.size).toBe(2);
    expect(state.counters.size).toBe(0);
    state.down = false;
    await sleep(200);
    expect(backlog.size).toBe(0);
    expect(state.counters.get('a')).toBe(-680n);
    expect(state.counters.get('b')).toBe(5n);
    expect(state.errors.length).toBeGreaterThan(0);
    await backlog.close();
  });

  it('is bounded: beyond its size the oldest counter is dropped with a warning', async () => {
    const { state, add } = flakyStore();
    const backlog = new AddBacklog({
      add,
      now: Date.now,
      onError: (e) => state.errors.push(String(e)),
      maxKeys: 2,
      firstRetryMs: 60_000,
    });
    for (const key of ['a', 'b', 'c']) backlog.keep(move(key, 1n));
    expect(backlog.size).toBe(2);
    expect(state.errors.some((e) => e.includes('dropped the oldest'))).toBe(true);
    await backlog.close();
    expect([...state.counters.keys()].sort()).toEqual(['b', 'c']);
  });

  it('drops moves whose counter expired before the store came back, and flushes on close', async () => {
    const { state, add } = flakyStore();
    let now = 1_000;
    const backlog = new AddBacklog({ add, now: () => now, onError: () => undefined, firstRetryMs: 60_000 });
    backlog.keep(move('old', 3n, 100));
    backlog.keep(move('live', 4n, 10_000));
    now += 500;
    await backlog.close();
    expect(state.counters.has('old')).toBe(false);
    expect(state.counters.get('live')).toBe(4n);
  });
});
