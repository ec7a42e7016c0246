import { describe, expect, it } from 'vitest';
import { UsageFigures } from './usage-figures.ts';

/** A reader whose reads the test answers (or never answers) by hand. */
function manualReader() {
  const reads: { resolve: (usage: number) => void; reject: (error: Error) => void }[] = [];
  const read = () =>
    new Promise<number>((resolve, reject) => {
      reads.push({ resolve, reject });
    });
  return { read, reads };
}

const figures = (read: () => Promise<number>, waitMs = 50) =>
  new UsageFigures(read, { waitMs, retryMs: 1_000, now: Date.now });

describe('UsageFigures', () => {
  it('waits at most waitMs for a slow Postgres, then serves the read once it lands', async () => {
    const { read, reads } = manualReader();
    const f = figures(read);
    const started = Date.now();
    expect(await f.fresh('s', 0, started)).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(Date.now() - started).toBeLessThan(500);
    // The read went on in the background; no second one was started meanwhile.
    expect(await f.fresh('s', 0, started)).toBeUndefined();
    expect(reads).toHaveLength(1);
    reads[0]?.resolve(42);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await f.fresh('s', 0, started)).toBe(42);
    expect(f.latest('s', 0)).toBe(42);
  });

  it('shares one read between concurrent callers and answers them as soon as it lands', async () => {
    const { read, reads } = manualReader();
    const f = figures(read, 5_000);
    const notBefore = Date.now();
    const waiting = Promise.all([f.fresh('s', 0, notBefore), f.fresh('s', 0, notBefore)]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads).toHaveLength(1);
    const started = Date.now();
    reads[0]?.resolve(7);
    expect(await waiting).toEqual([7, 7]);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('reads again only for a figure newer than the one it has', async () => {
    const { read, reads } = manualReader();
    const f = figures(read, 5_000);
    const first = f.fresh('s', 0, Date.now());
    reads[0]?.resolve(3);
    expect(await first).toBe(3);
    expect(await f.fresh('s', 0, 0)).toBe(3);
    expect(reads).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const newer = f.fresh('s', 0, Date.now());
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads).toHaveLength(2);
    reads[1]?.resolve(9);
    expect(await newer).toBe(9);
  });

  it('does not retry a failed read for retryMs, and keeps the latest figure', async () => {
    const { read, reads } = manualReader();
    const errors: unknown[] = [];
    const f = new UsageFigures(read, {
      waitMs: 5_000,
      retryMs: 60_000,
      now: Date.now,
      onError: (e) => errors.push(e),
    });
    const first = f.fresh('s', 0, Date.now());
    reads[0]?.resolve(4);
    await first;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const failing = f.fresh('s', 0, Date.now());
    reads[1]?.reject(new Error('postgres down'));
    expect(await failing).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(await f.fresh('s', 0, Date.now())).toBeUndefined();
    expect(reads).toHaveLength(2);
    expect(f.latest('s', 0)).toBe(4);
  });

  it('keeps counters of different subscriptions and periods apart', async () => {
    const f = new UsageFigures(async (id, period) => (id === 'a' ? 1 : 2) * 10 + period, {
      waitMs: 5_000,
      retryMs: 1_000,
      now: Date.now,
    });
    expect(await f.fresh('a', 0, 0)).toBe(10);
    expect(await f.fresh('b', 0, 0)).toBe(20);
    expect(await f.fresh('a', 1, 0)).toBe(11);
  });
});
