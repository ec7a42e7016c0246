import { describe, expect, it } from 'vitest';
import { Balancer, type Candidate } from './balancer.ts';

const targets = (...weights: number[]): Candidate[] =>
  weights.map((weight, i) => ({ id: `t${i}`, weight, inFlight: 0 }));

const picks = (balancer: Balancer, pool: Candidate[], n: number) =>
  Array.from({ length: n }, () => balancer.pick(pool)?.id);

describe('smooth weighted round-robin', () => {
  it('spreads picks by weight, interleaved rather than in bursts', () => {
    const balancer = new Balancer('round-robin');
    expect(picks(balancer, targets(3, 1), 8)).toEqual(['t0', 't0', 't1', 't0', 't0', 't0', 't1', 't0']);
  });

  it('is exact over a full cycle for uneven weights', () => {
    const balancer = new Balancer('round-robin');
    const counts = new Map<string, number>();
    for (const id of picks(balancer, targets(5, 1, 1), 700))
      counts.set(id ?? '', (counts.get(id ?? '') ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ t0: 500, t1: 100, t2: 100 });
  });

  it('keeps going when a target drops out of the candidate list', () => {
    const balancer = new Balancer('round-robin');
    const pool = targets(1, 1, 1);
    picks(balancer, pool, 4);
    const remaining = pool.filter((t) => t.id !== 't1');
    expect(new Set(picks(balancer, remaining, 10))).toEqual(new Set(['t0', 't2']));
  });

  it('never picks weight-0 targets unless all are weight 0, and nothing from an empty list', () => {
    const balancer = new Balancer('round-robin');
    expect(new Set(picks(balancer, targets(0, 1), 5))).toEqual(new Set(['t1']));
    expect(new Set(picks(balancer, targets(0, 0), 4))).toEqual(new Set(['t0', 't1']));
    expect(balancer.pick([])).toBeUndefined();
  });
});

describe('least connections', () => {
  it('picks the target with the fewest in-flight requests', () => {
    const balancer = new Balancer('least-connections');
    const pool = targets(1, 1, 1);
    pool[0]!.inFlight = 3;
    pool[1]!.inFlight = 1;
    pool[2]!.inFlight = 2;
    expect(balancer.pick(pool)?.id).toBe('t1');
  });

  it('breaks ties by weight, then rotates among equals', () => {
    const balancer = new Balancer('least-connections');
    expect(balancer.pick(targets(1, 5, 2))?.id).toBe('t1');
    expect(new Set(picks(balancer, targets(2, 2), 4))).toEqual(new Set(['t0', 't1']));
  });

  it('follows in-flight counts as requests start and finish', () => {
    const balancer = new Balancer('least-connections');
    const pool = targets(1, 1);
    const first = balancer.pick(pool)!;
    first.inFlight++;
    const second = balancer.pick(pool)!;
    expect(second.id).not.toBe(first.id);
    second.inFlight++;
    first.inFlight--;
    expect(balancer.pick(pool)?.id).toBe(first.id);
  });
});
